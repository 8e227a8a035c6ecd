#include "chimera/core/sweep/sweep_analysis.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "sweep_test_support.hpp"

namespace chimera::core {
namespace {

using test::arm_of;
using test::cold_then_warm;
using test::run_with;
using test::small_sweep;

// Expected values computed independently with Python's statistics module and mpmath.

TEST(sweep_analysis, summarises_each_arm) {
    const auto result = analyze_sweep(small_sweep());
    EXPECT_EQ(result.model, "gemma3:latest");
    ASSERT_EQ(result.baselines.size(), 1u);
    ASSERT_EQ(result.configs.size(), 2u);
    const auto& fast = result.configs[1].summary;
    EXPECT_EQ(fast.label, "gpu80_ctx512_temp0.8");
    EXPECT_EQ(fast.options.num_ctx, 512);
    EXPECT_EQ(fast.runs, 3u);
    ASSERT_TRUE(fast.tok_s);
    EXPECT_DOUBLE_EQ(fast.tok_s->mean, 101.5);
    EXPECT_DOUBLE_EQ(*fast.tok_s->stddev, 0.5);
    ASSERT_TRUE(fast.ttft_ms);
    EXPECT_EQ(fast.ttft_ms->count, 6u);
    EXPECT_DOUBLE_EQ(fast.ttft_ms->mean, 1870);
    EXPECT_NEAR(*fast.ttft_ms->stddev, 1840.6303268174195, 1e-9);
    EXPECT_EQ(fast.tokens_mean, 1500);
    EXPECT_EQ(fast.duration_ms_mean, 19000);
}

TEST(sweep_analysis, keeps_cold_and_warm_calls_apart) {
    const auto result = analyze_sweep(small_sweep());
    const auto& baseline = result.baselines[0];
    ASSERT_TRUE(baseline.cold_ttft_ms && baseline.warm_ttft_ms);
    EXPECT_EQ(baseline.cold_ttft_ms->count, 3u);
    EXPECT_DOUBLE_EQ(baseline.cold_ttft_ms->mean, 3700);
    EXPECT_EQ(baseline.warm_ttft_ms->count, 3u);
    EXPECT_DOUBLE_EQ(baseline.warm_ttft_ms->mean, 210);
    const auto& vs = result.configs[1].vs_baseline;
    EXPECT_NEAR(*vs.cold_ttft_delta_pct, -4.054054054054054, 1e-12);
    EXPECT_NEAR(*vs.warm_ttft_delta_pct, -9.523809523809524, 1e-12);
    EXPECT_NEAR(*vs.ttft_delta_pct, -4.3478260869565215, 1e-12);
}

TEST(sweep_analysis, compares_each_config_with_its_baseline) {
    const auto result = analyze_sweep(small_sweep());
    const auto& fast = result.configs[1].vs_baseline;
    EXPECT_NEAR(*fast.tok_s_delta_pct, 3.0456852791878175, 1e-12);
    ASSERT_TRUE(fast.welch);
    EXPECT_NEAR(fast.welch->t, 7.3484692283495345, 1e-12);
    EXPECT_NEAR(fast.welch->degrees_of_freedom, 4.0, 1e-12);
    EXPECT_NEAR(fast.welch->p_two_sided, 0.0018262606682599833, 1e-13);
    EXPECT_NEAR(*fast.cohens_d, 6.0, 1e-12);
    EXPECT_TRUE(fast.beats_baseline);

    const auto& slow = result.configs[0].vs_baseline;
    EXPECT_NEAR(*slow.tok_s_delta_pct, -0.7445008460236896, 1e-12);
    EXPECT_NEAR(slow.welch->p_two_sided, 0.21322376588224223, 1e-12);
    EXPECT_NEAR(*slow.cohens_d, -1.2279202588090876, 1e-12);
    EXPECT_FALSE(slow.beats_baseline);
}

TEST(sweep_analysis, ranks_and_summarises_across_configs) {
    const auto result = analyze_sweep(small_sweep());
    ASSERT_EQ(result.ranking.size(), 2u);
    EXPECT_EQ(result.ranking[0], 1u);
    EXPECT_EQ(result.ranking[1], 0u);
    const auto& across = result.across;
    EXPECT_EQ(across.configs, 2u);
    EXPECT_EQ(across.beating_baseline, 1u);
    EXPECT_DOUBLE_EQ(*across.success_rate_pct, 50);
    EXPECT_EQ(across.best, 1u);
    EXPECT_EQ(across.worst, 0u);
    ASSERT_TRUE(across.config_tok_s);
    EXPECT_NEAR(across.config_tok_s->mean, 99.63333333333333, 1e-12);
    EXPECT_NEAR(*across.config_tok_s->cv_percent, 2.6495804447271114, 1e-12);
    EXPECT_DOUBLE_EQ(*across.baseline_tok_s_mean, 98.5);
    EXPECT_NEAR(*across.tok_s_delta_pct_mean, 1.150592216582064, 1e-12);
    EXPECT_NEAR(*across.tok_s_delta_pct_max, 3.0456852791878175, 1e-12);
    EXPECT_NEAR(*across.ttft_delta_pct_mean, 2.046035805626598, 1e-12);
}

TEST(sweep_analysis, compares_with_each_configs_own_baseline_when_there_are_several) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline/a", {run_with(100, {{3000, 3000}})}));
    sweep.baselines.push_back(arm_of("baseline/b", {run_with(90, {{3000, 3000}})}));
    sweep.configs.push_back({arm_of("a", {run_with(99, {{3000, 3000}})}), 0, true});
    sweep.configs.push_back({arm_of("b", {run_with(99, {{3000, 3000}})}), 1, true});
    const auto result = analyze_sweep(sweep);
    EXPECT_FALSE(result.configs[0].vs_baseline.beats_baseline);
    EXPECT_TRUE(result.configs[1].vs_baseline.beats_baseline);
    EXPECT_NEAR(*result.configs[1].vs_baseline.tok_s_delta_pct, 10, 1e-12);
    EXPECT_DOUBLE_EQ(*result.across.baseline_tok_s_mean, 95);
    // One run per arm: no test, no effect size.
    EXPECT_FALSE(result.configs[1].vs_baseline.welch);
    EXPECT_FALSE(result.configs[1].vs_baseline.cohens_d);
}

TEST(sweep_analysis, leaves_configs_outside_the_grid_and_without_runs_out_of_the_summary) {
    auto sweep = small_sweep();
    sweep.configs.push_back({arm_of("manual_test", {run_with(150, {{3000, 3000}})}), 0, false});
    sweep.configs.push_back({arm_of("all_runs_failed", {}), 0, true});
    const auto result = analyze_sweep(sweep);
    ASSERT_EQ(result.configs.size(), 4u);
    EXPECT_TRUE(result.configs[2].vs_baseline.beats_baseline);  // still compared
    EXPECT_FALSE(result.configs[3].summary.tok_s);
    EXPECT_FALSE(result.configs[3].vs_baseline.tok_s_delta_pct);
    EXPECT_EQ(result.ranking, (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(result.across.configs, 2u);
    EXPECT_EQ(result.across.best, 1u);
}

TEST(sweep_analysis, an_empty_sweep_has_no_cross_config_summary) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline", {cold_then_warm(98, 3600, 200)}));
    const auto result = analyze_sweep(sweep);
    EXPECT_EQ(result.across.configs, 0u);
    EXPECT_FALSE(result.across.best);
    EXPECT_FALSE(result.across.success_rate_pct);
}

TEST(sweep_analysis, refuses_a_config_naming_a_missing_baseline) {
    auto sweep = small_sweep();
    sweep.configs[0].baseline = 5;
    EXPECT_THROW((void)analyze_sweep(sweep), std::invalid_argument);
}

}  // namespace
}  // namespace chimera::core
