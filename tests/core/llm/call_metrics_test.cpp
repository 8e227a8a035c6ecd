#include "chimera/core/llm/call_metrics.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(call_metrics, joins_client_timings_with_backend_stats_in_milliseconds) {
    generation_stats backend;
    backend.done_reason = "stop";
    backend.total_duration_ns = 10'706'818'083;
    backend.load_duration_ns = 6'338'219'291;
    backend.prompt_eval_count = 26;
    backend.prompt_eval_duration_ns = 130'079'000;
    backend.eval_count = 259;
    backend.eval_duration_ns = 4'232'710'000;
    const client_timings client{.ttft_ms = 6500.25, .stream_ms = 10710.5};

    const auto metrics = make_call_metrics(call_stage::report, client, backend);

    EXPECT_EQ(metrics.stage, call_stage::report);
    EXPECT_DOUBLE_EQ(metrics.ttft_ms, 6500.25);
    EXPECT_DOUBLE_EQ(metrics.stream_ms, 10710.5);
    EXPECT_DOUBLE_EQ(metrics.total_ms, 10706.818083);
    EXPECT_DOUBLE_EQ(metrics.load_ms, 6338.219291);
    EXPECT_DOUBLE_EQ(metrics.prompt_eval_ms, 130.079);
    EXPECT_DOUBLE_EQ(metrics.eval_ms, 4232.71);
    EXPECT_EQ(metrics.tokens_generated, 259);
    EXPECT_EQ(metrics.prompt_tokens, 26);
    EXPECT_DOUBLE_EQ(metrics.tokens_per_second, backend.tokens_per_second());
    EXPECT_EQ(metrics.tokens_per_second_source, rate_source::engine);
    EXPECT_EQ(metrics.done_reason, "stop");
}

// llama.cpp's timings: milliseconds, which the decoder keeps as the engine's durations.
TEST(call_metrics, an_engine_decode_time_wins_over_the_client_measurement) {
    generation_stats backend;
    backend.eval_count = 100;
    backend.eval_duration_ns = 500'000'000;
    const client_timings client{.ttft_ms = 10, .stream_ms = 900, .decode_ms = 800};
    const auto metrics = make_call_metrics(call_stage::analysis, client, backend);
    EXPECT_DOUBLE_EQ(metrics.tokens_per_second, 200.0);
    EXPECT_EQ(metrics.tokens_per_second_source, rate_source::engine);
}

// vLLM reports token counts (usage) but no durations: 101 tokens arrive over 100 gaps between
// the first and the last.
TEST(call_metrics, without_engine_durations_the_rate_is_the_tokens_over_the_client_decode_time) {
    generation_stats backend;
    backend.eval_count = 101;
    backend.prompt_eval_count = 12;
    const client_timings client{.ttft_ms = 40, .stream_ms = 540, .decode_ms = 500};
    const auto metrics = make_call_metrics(call_stage::report, client, backend);
    EXPECT_DOUBLE_EQ(metrics.tokens_per_second, 200.0);
    EXPECT_EQ(metrics.tokens_per_second_source, rate_source::client);
    EXPECT_EQ(metrics.eval_ms, 0.0) << "what the engine did not report stays 0";
    EXPECT_EQ(metrics.load_ms, 0.0);
    EXPECT_EQ(metrics.prompt_tokens, 12);
}

TEST(call_metrics, one_token_without_engine_durations_has_no_rate) {
    generation_stats backend;
    backend.eval_count = 1;
    const auto metrics = make_call_metrics(call_stage::report, {.ttft_ms = 5, .stream_ms = 6, .decode_ms = 0}, backend);
    EXPECT_EQ(metrics.tokens_per_second, 0.0);
    EXPECT_FALSE(metrics.tokens_per_second_source.has_value());
}

TEST(call_metrics, rate_source_names_match_the_api) {
    EXPECT_EQ(to_string(rate_source::engine), "engine");
    EXPECT_EQ(to_string(rate_source::client), "client");
}

TEST(call_metrics, a_load_only_reply_gives_zero_rates_not_nan) {
    generation_stats backend;
    backend.done_reason = "load";
    const auto metrics = make_call_metrics(call_stage::analysis, {}, backend);
    EXPECT_EQ(metrics.tokens_per_second, 0.0);
    EXPECT_FALSE(metrics.tokens_per_second_source.has_value());
    EXPECT_EQ(metrics.eval_ms, 0.0);
    EXPECT_EQ(metrics.done_reason, "load");
}

TEST(call_metrics, stage_names_match_the_api) {
    EXPECT_EQ(to_string(call_stage::analysis), "analysis");
    EXPECT_EQ(to_string(call_stage::report), "report");
}

}  // namespace
}  // namespace chimera::core
