#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "chimera/core/call_metrics.hpp"
#include "chimera/core/run_document.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
class Histogram;
}  // namespace prometheus

namespace chimera::service {

/// All Prometheus families of the service, created once at start-up.
/// Thread-safe: prometheus-cpp metrics may be updated from any thread.
class service_metrics {
public:
    service_metrics();
    ~service_metrics();
    service_metrics(const service_metrics&) = delete;
    service_metrics& operator=(const service_metrics&) = delete;

    void observe_call(std::string_view model, const core::call_metrics& call);
    void observe_run_finished(core::run_status status);
    void set_runs_queued(std::size_t count);
    void set_runs_running(std::size_t count);
    void observe_backend_connection_opened();

    /// The exposition text (format 0.0.4) for `GET /metrics`.
    [[nodiscard]] std::string serialize() const;

private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Histogram>* ttft_seconds_;
    prometheus::Family<prometheus::Histogram>* tokens_per_second_;
    prometheus::Family<prometheus::Histogram>* load_seconds_;
    prometheus::Family<prometheus::Histogram>* prompt_eval_seconds_;
    prometheus::Family<prometheus::Histogram>* eval_seconds_;
    prometheus::Family<prometheus::Counter>* prompt_tokens_;
    prometheus::Family<prometheus::Counter>* generation_tokens_;
    prometheus::Family<prometheus::Counter>* runs_total_;
    prometheus::Gauge* runs_queued_;
    prometheus::Gauge* runs_running_;
    prometheus::Counter* connections_opened_;
};

}  // namespace chimera::service
