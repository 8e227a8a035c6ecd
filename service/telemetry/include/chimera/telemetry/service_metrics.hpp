#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/llm/llm_outcome.hpp"
#include "chimera/core/run/run_document.hpp"
#include "chimera/telemetry/gap_histogram.hpp"
#include "chimera/telemetry/model_label_set.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace chimera::service {

/// All Prometheus families of the service, created once at start-up.
/// Thread-safe: prometheus-cpp metrics may be updated from any thread.
class service_metrics {
public:
    /// `metric_models`: the models that are their own `model` label from the start (see
    /// model_label_set); a model the backend lists joins them through model_labels().
    explicit service_metrics(std::vector<std::string> metric_models = {});
    ~service_metrics();
    service_metrics(const service_metrics&) = delete;
    service_metrics& operator=(const service_metrics&) = delete;

    /// The per-backend series of a backend (`--backend NAME=URL`), at 0 from the start.
    void add_backend(std::string_view backend);

    /// The inter-token latency histogram of one (backend, model, stage): look it up once per
    /// call, then observe every gap without a label lookup.
    [[nodiscard]] gap_histogram inter_token_latency(std::string_view backend,
                                                    std::string_view model,
                                                    core::call_stage stage);

    /// Labelled by the backend the call ran on (`call.backend`).
    void observe_call(std::string_view model, const core::call_metrics& call);
    void observe_call_outcome(std::string_view backend,
                              std::string_view model,
                              core::call_stage stage,
                              core::llm_outcome outcome);
    void observe_call_retry(std::string_view backend, std::string_view model, core::call_stage stage);
    void observe_run_finished(core::run_status status);
    void observe_run_stage(core::run_stage stage, double seconds);
    void observe_run_total(double seconds);
    void observe_ingest(const core::ingest_result& ingest);
    void observe_http_request(std::string_view route, unsigned code, double seconds);
    void set_runs_queued(std::size_t count);
    void set_runs_running(std::size_t count);
    void observe_runs_recovered(std::size_t count);
    void observe_backend_connection_opened(std::string_view backend);
    void observe_backend_connection_reused(std::string_view backend);
    void add_backend_requests_in_flight(std::string_view backend, double delta);
    void add_event_streams_open(double delta);
    /// Client connections of a listener ("api", "admin"), open and refused (`reason`:
    /// "capacity" or "per_address").
    void add_http_connections_open(std::string_view listener, double delta);
    void observe_http_connection_refused(std::string_view listener, std::string_view reason);
    void set_store_writable(bool writable);
    void set_backend_up(std::string_view backend, bool up);

    [[nodiscard]] model_label_set& model_labels() { return models_; }

    /// The exposition text (format 0.0.4) for `GET /metrics`.
    [[nodiscard]] std::string serialize() const;

private:
    struct families;
    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<families> f_;
    model_label_set models_;
};

}  // namespace chimera::service
