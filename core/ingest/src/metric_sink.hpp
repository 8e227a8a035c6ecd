#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chimera/core/ingest/benchmark_ingest.hpp"

namespace chimera::core::detail {

/// The reference agents' rule for a performance metric: its name mentions
/// tok, throughput, latency, ttft or speed (any case).
[[nodiscard]] bool is_metric_key(std::string_view key);

/// Collects harvested metrics under the caps that keep the prompt small and varied:
/// a few values per column (or JSON key path), a few per file, a total limit.
class metric_sink {
public:
    static constexpr std::size_t max_per_group = 3;
    static constexpr std::size_t max_per_file = 5;

    metric_sink(std::vector<harvested_metric>& out, std::size_t max_total);

    /// Starts the metrics of another file; `file` is its relative path.
    void start_file(std::string file);

    /// False once this file (or the whole scan) has all the metrics it may keep.
    [[nodiscard]] bool wants_more() const;

    /// Adds a value unless its group (a CSV column, a JSON path without indices) is full.
    void add(std::string_view group, std::string key, double value);

private:
    std::vector<harvested_metric>& out_;
    std::size_t max_total_;
    std::string file_;
    std::size_t file_start_ = 0;
    std::vector<std::pair<std::string, std::size_t>> group_counts_;
};

}  // namespace chimera::core::detail
