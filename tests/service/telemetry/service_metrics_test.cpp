#include "chimera/telemetry/service_metrics.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

using testing::IsSubstring;

core::call_metrics analysis_call() {
    core::call_metrics call;
    call.stage = core::call_stage::analysis;
    call.backend = "gpu-1";
    call.ttft_ms = 250;
    call.tokens_per_second = 100;
    call.tokens_generated = 512;
    call.prompt_tokens = 900;
    return call;
}

// The series of a route are kept after their first request: later requests, and other
// status codes of the same route, must still land in their own series.
TEST(service_metrics, http_requests_count_per_route_and_code) {
    service_metrics metrics;
    for (int i = 0; i < 3; ++i) metrics.observe_http_request("/runs/{id}", 200, 0.0002);
    metrics.observe_http_request("/runs/{id}", 404, 0.0002);
    metrics.observe_http_request("/healthz", 200, 0.002);
    const auto text = metrics.serialize();
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_http_requests_total{code=\"200\",route=\"/runs/{id}\"} 3\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_http_requests_total{code=\"404\",route=\"/runs/{id}\"} 1\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_http_requests_total{code=\"200\",route=\"/healthz\"} 1\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_http_request_duration_seconds_count{route=\"/runs/{id}\"} 4\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "chimera_http_request_duration_seconds_bucket{route=\"/runs/{id}\",le=\"0.00025\"} 4\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_http_request_duration_seconds_count{route=\"/healthz\"} 1\n", text);
}

TEST(service_metrics, call_is_observed_in_labelled_histograms) {
    service_metrics metrics{{"m"}};
    metrics.observe_call("m", analysis_call());
    const auto text = metrics.serialize();
    EXPECT_PRED_FORMAT2(
        IsSubstring,
        "chimera_llm_time_to_first_token_seconds_count{backend=\"gpu-1\",model=\"m\",stage=\"analysis\"} 1\n", text);
    EXPECT_PRED_FORMAT2(
        IsSubstring,
        "chimera_llm_time_to_first_token_seconds_sum{backend=\"gpu-1\",model=\"m\",stage=\"analysis\"} 0.25\n", text);
    // 0.25 s lands exactly on a bucket bound: buckets are `le`, so it counts there, not only above.
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "chimera_llm_time_to_first_token_seconds_bucket{backend=\"gpu-1\",model=\"m\",stage="
                        "\"analysis\",le=\"0.1\"} 0\n",
                        text);
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "chimera_llm_time_to_first_token_seconds_bucket{backend=\"gpu-1\",model=\"m\",stage="
                        "\"analysis\",le=\"0.25\"} 1\n",
                        text);
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "chimera_llm_generation_tokens_per_second_bucket{backend=\"gpu-1\",model=\"m\",stage="
                        "\"analysis\",le=\"100\"} 1\n",
                        text);
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "chimera_llm_generation_tokens_total{backend=\"gpu-1\",model=\"m\",stage=\"analysis\"} 512\n",
                        text);
    EXPECT_PRED_FORMAT2(
        IsSubstring, "chimera_llm_prompt_tokens_total{backend=\"gpu-1\",model=\"m\",stage=\"analysis\"} 900\n", text);
}

TEST(service_metrics, runs_total_has_every_final_status_from_start) {
    const auto text = service_metrics{}.serialize();
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_runs_total{status=\"succeeded\"} 0\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_runs_total{status=\"failed\"} 0\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_runs_total{status=\"cancelled\"} 0\n", text);
}

TEST(service_metrics, finished_run_increments_its_status) {
    service_metrics metrics;
    metrics.observe_run_finished(core::run_status::failed);
    metrics.observe_run_finished(core::run_status::failed);
    const auto text = metrics.serialize();
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_runs_total{status=\"failed\"} 2\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "chimera_runs_total{status=\"succeeded\"} 0\n", text);
}

TEST(service_metrics, gauges_and_connection_counter_are_settable) {
    service_metrics metrics;
    metrics.set_runs_queued(7);
    metrics.set_runs_running(2);
    metrics.set_runs_running(1);
    metrics.observe_backend_connection_opened("default");
    const auto text = metrics.serialize();
    EXPECT_PRED_FORMAT2(IsSubstring, "\nchimera_runs_queued 7\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "\nchimera_runs_running 1\n", text);
    EXPECT_PRED_FORMAT2(IsSubstring, "\nchimera_backend_connections_opened_total{backend=\"default\"} 1\n", text);
}

// Clients choose model names; the metrics must not grow with them (issue 16, item 2).
TEST(service_metrics, models_outside_the_label_set_share_the_other_series) {
    service_metrics metrics{{"gemma3:latest"}};
    for (int i = 0; i < 500; ++i) {
        const auto model = "client-" + std::to_string(i) + "\r\n# HELP forged \"x\"";
        metrics.observe_call_outcome("default", model, core::call_stage::analysis, core::llm_outcome::ok);
    }
    metrics.observe_call_outcome("default", "gemma3:latest", core::call_stage::analysis, core::llm_outcome::ok);
    const auto text = metrics.serialize();
    EXPECT_PRED_FORMAT2(
        IsSubstring,
        "chimera_llm_requests_total{backend=\"default\",model=\"other\",outcome=\"ok\",stage=\"analysis\"} 500\n",
        text);
    EXPECT_PRED_FORMAT2(
        IsSubstring,
        "chimera_llm_requests_total{backend=\"default\",model=\"gemma3:latest\",outcome=\"ok\",stage=\"analysis\"} 1\n",
        text);
    EXPECT_EQ(text.find("client-"), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace chimera::service
