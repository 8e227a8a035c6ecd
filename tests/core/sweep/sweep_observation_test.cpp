#include "chimera/core/sweep/sweep_observation.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::core {
namespace {

call_metrics call(double ttft_ms, std::int64_t tokens, double eval_ms, double load_ms, double total_ms) {
    call_metrics metrics;
    metrics.ttft_ms = ttft_ms;
    metrics.tokens_generated = tokens;
    metrics.eval_ms = eval_ms;
    metrics.load_ms = load_ms;
    metrics.total_ms = total_ms;
    metrics.tokens_per_second = static_cast<double>(tokens) / (eval_ms / 1000);
    return metrics;
}

TEST(sweep_observation, a_model_load_makes_a_call_cold) {
    EXPECT_EQ(classify_start({3601.9, 3325.2}), start_kind::cold);
    EXPECT_EQ(classify_start({180.0, cold_load_threshold_ms}), start_kind::cold);
    EXPECT_EQ(classify_start({180.0, 12.5}), start_kind::warm);
    EXPECT_EQ(classify_start({1376.0, std::nullopt}), start_kind::unknown);
}

TEST(sweep_observation, run_throughput_weights_the_calls_by_tokens) {
    // 100 tokens in 1 s and 300 in 2 s: 400 / 3 tok/s, not the mean of 100 and 150.
    const std::vector<call_metrics> calls{call(3600, 100, 1000, 3300, 4900), call(210, 300, 2000, 8, 2300)};
    const auto run = make_run_observation(calls);
    EXPECT_DOUBLE_EQ(run.tokens_per_second, 400.0 / 3.0);
    EXPECT_EQ(run.tokens_generated, 400);
    EXPECT_DOUBLE_EQ(run.duration_ms, 7200);
    ASSERT_EQ(run.calls.size(), 2u);
    EXPECT_EQ(run.calls[0].ttft_ms, 3600);
    EXPECT_EQ(classify_start(run.calls[0]), start_kind::cold);
    EXPECT_EQ(classify_start(run.calls[1]), start_kind::warm);
}

TEST(sweep_observation, a_run_without_eval_time_has_zero_throughput) {
    const std::vector<call_metrics> calls{call(50, 0, 0, 0, 60)};
    EXPECT_EQ(make_run_observation(calls).tokens_per_second, 0);
}

TEST(sweep_observation, a_plan_has_one_baseline_and_its_configs_and_each_run_finds_its_arm) {
    const auto spec = std::get<sweep_spec>(parse_sweep_spec(R"({"grid":{"num_ctx":[256,512]},"repetitions":2})"));
    const auto plan = expand_sweep(spec);
    auto observations = plan_observations(plan, "m");
    EXPECT_EQ(observations.model, "m");
    ASSERT_EQ(observations.baselines.size(), 1U);
    ASSERT_EQ(observations.configs.size(), 2U);
    EXPECT_EQ(observations.configs[1].arm.label, plan.configs[1].label);
    EXPECT_EQ(observations.configs[1].arm.options.num_ctx, 512);
    for (const auto& run : plan.runs) {
        const auto& arm = arm_of(observations, run);
        EXPECT_EQ(arm.label, config_of(plan, run).label);
    }
}

}  // namespace
}  // namespace chimera::core
