// The work of a /metrics scrape without the HTTP: service_metrics::serialize() (collect the
// registry and the process metrics from /proc/self, prometheus-cpp's TextSerializer) over the
// service's registry with every series populated: two models x both stages in every LLM
// histogram and counter, every call outcome, every run status and stage, every route with
// each status code the service answers, and the gauges. Reports the text's size too.
#include <array>
#include <string>

#include <benchmark/benchmark.h>
#include <prometheus/histogram.h>

#include "chimera/telemetry/service_metrics.hpp"

namespace {

using namespace chimera;
using core::llm_outcome;

constexpr std::array models{"gemma3:latest", "llama3.2:latest"};
constexpr std::array routes{"/healthz",          "/readyz",           "/metrics", "/runs",        "/runs/{id}",
                            "/runs/{id}/report", "/runs/{id}/events", "/sweeps",  "/sweeps/{id}", "/sweeps/{id}/report",
                            "unmatched"};
constexpr std::array codes{200U, 202U, 400U, 404U, 409U, 429U, 503U};
constexpr std::array outcomes{llm_outcome::ok,           llm_outcome::http_error, llm_outcome::midstream_error,
                              llm_outcome::truncated,    llm_outcome::timeout,    llm_outcome::cancelled,
                              llm_outcome::connect_error};

core::call_metrics call(core::call_stage stage) {
    core::call_metrics metrics;
    metrics.stage = stage;
    metrics.ttft_ms = 603;
    metrics.tokens_per_second = 114.5;
    metrics.tokens_generated = 1024;
    metrics.prompt_tokens = 1180;
    metrics.load_ms = 312;
    metrics.prompt_eval_ms = 181;
    metrics.eval_ms = 8943;
    metrics.total_ms = 9500;
    metrics.stream_ms = 9501;
    return metrics;
}

void populate_calls(service::service_metrics& metrics) {
    for (const auto* model : models) {
        for (const auto stage : {core::call_stage::analysis, core::call_stage::report}) {
            metrics.observe_call(model, call(stage));
            metrics.inter_token_latency("default", model, stage).observe(0.0087, 1);
            metrics.observe_call_retry("default", model, stage);
            for (const auto outcome : outcomes) metrics.observe_call_outcome("default", model, stage, outcome);
        }
    }
}

void populate_runs_and_http(service::service_metrics& metrics) {
    for (const auto status : {core::run_status::succeeded, core::run_status::failed, core::run_status::cancelled}) {
        metrics.observe_run_finished(status);
    }
    for (const auto stage : {core::run_stage::ingest, core::run_stage::analysis, core::run_stage::report}) {
        metrics.observe_run_stage(stage, 1.5);
    }
    metrics.observe_run_total(20.5);
    core::ingest_result ingest;
    ingest.csv_files = 28;
    ingest.json_files = 44;
    ingest.markdown_files = 29;
    ingest.error_count = 1;
    metrics.observe_ingest(ingest);
    for (const auto* route : routes) {
        for (const auto code : codes) metrics.observe_http_request(route, code, 0.0004);
    }
    metrics.set_runs_queued(12);
    metrics.set_runs_running(2);
    metrics.observe_runs_recovered(1);
    metrics.observe_backend_connection_opened("default");
    metrics.observe_backend_connection_reused("default");
    metrics.add_backend_requests_in_flight("default", 2);
    metrics.add_event_streams_open(1);
    metrics.set_backend_up("default", true);
}

void serialize_metrics(benchmark::State& state) {
    service::service_metrics metrics;
    populate_calls(metrics);
    populate_runs_and_http(metrics);
    std::size_t bytes = 0;
    for (auto _ : state) {
        const auto text = metrics.serialize();
        bytes = text.size();
        benchmark::DoNotOptimize(text.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

}  // namespace

BENCHMARK(serialize_metrics)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
