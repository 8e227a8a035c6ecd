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
    EXPECT_EQ(metrics.done_reason, "stop");
}

TEST(call_metrics, a_load_only_reply_gives_zero_rates_not_nan) {
    generation_stats backend;
    backend.done_reason = "load";
    const auto metrics = make_call_metrics(call_stage::analysis, {}, backend);
    EXPECT_EQ(metrics.tokens_per_second, 0.0);
    EXPECT_EQ(metrics.eval_ms, 0.0);
    EXPECT_EQ(metrics.done_reason, "load");
}

TEST(call_metrics, stage_names_match_the_api) {
    EXPECT_EQ(to_string(call_stage::analysis), "analysis");
    EXPECT_EQ(to_string(call_stage::report), "report");
}

}  // namespace
}  // namespace chimera::core
