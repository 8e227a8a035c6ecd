#pragma once

#include <vector>

#include <prometheus/collectable.h>

namespace chimera::service {

/// The standard `process_*` metrics (RSS, open fds, CPU seconds, start time),
/// read from /proc/self at scrape time: prometheus-cpp has no process collector.
class process_metrics : public prometheus::Collectable {
public:
    [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace chimera::service
