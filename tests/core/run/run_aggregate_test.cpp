#include "chimera/core/run/run_aggregate.hpp"

#include <gtest/gtest.h>

#include "run_fixtures.hpp"

namespace chimera::core {
namespace {

TEST(run_aggregate, weights_throughput_by_tokens_not_by_call) {
    const auto run = test::two_call_run();
    const auto total = aggregate_calls(run.calls);
    ASSERT_TRUE(total.tokens_per_second.has_value());
    EXPECT_DOUBLE_EQ(*total.tokens_per_second, 2500.0 / 22.5);  // not (100 + 120) / 2
    ASSERT_TRUE(total.call_tokens_per_second.has_value());
    EXPECT_DOUBLE_EQ(total.call_tokens_per_second->mean, 110);
}

TEST(run_aggregate, sums_tokens_durations_and_attempts) {
    const auto run = test::two_call_run();
    const auto total = aggregate_calls(run.calls);
    EXPECT_EQ(total.calls, 2U);
    EXPECT_EQ(total.attempts, 3);
    EXPECT_EQ(total.tokens_generated, 2500);
    EXPECT_EQ(total.prompt_tokens, 2000);
    EXPECT_DOUBLE_EQ(total.total_ms, 26800);
    EXPECT_DOUBLE_EQ(total.load_ms, 3505);
    EXPECT_DOUBLE_EQ(total.prompt_eval_ms, 430);
    EXPECT_DOUBLE_EQ(total.eval_ms, 22500);
    ASSERT_TRUE(total.ttft_ms.has_value());
    EXPECT_DOUBLE_EQ(total.ttft_ms->mean, 2000);
}

TEST(run_aggregate, has_no_rates_without_calls_or_eval_time) {
    EXPECT_FALSE(aggregate_calls({}).tokens_per_second.has_value());
    EXPECT_FALSE(aggregate_calls({}).ttft_ms.has_value());
    call_metrics cut_short;  // e.g. num_predict 0: no token, no eval time
    EXPECT_FALSE(aggregate_calls(std::span(&cut_short, 1)).tokens_per_second.has_value());
}

TEST(run_aggregate, counts_a_failed_calls_attempts_but_not_its_figures) {
    auto run = test::two_call_run();
    failed_call failed;
    failed.stage = call_stage::report;
    failed.attempts = 3;
    failed.error = "HTTP 503";
    run.calls.push_back(make_failed_call_metrics(failed));
    const auto total = aggregate_calls(run.calls);
    EXPECT_EQ(total.calls, 2U);
    EXPECT_EQ(total.attempts, 6);
    EXPECT_EQ(total.tokens_generated, 2500);
    EXPECT_DOUBLE_EQ(total.ttft_ms->mean, 2000);
}

}  // namespace
}  // namespace chimera::core
