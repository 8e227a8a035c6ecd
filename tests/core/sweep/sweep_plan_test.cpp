#include "chimera/core/sweep/sweep_plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

sweep_spec spec_of(std::string_view body) {
    auto parsed = parse_sweep_spec(body);
    if (const auto* error = std::get_if<request_error>(&parsed)) {
        ADD_FAILURE() << error->field << ": " << error->detail;
        return {};
    }
    return std::get<sweep_spec>(parsed);
}

/// "B" for the baseline, else the config index: the order in one readable string.
std::string order_of(const sweep_plan& plan) {
    std::string out;
    for (const auto& run : plan.runs) out += run.config ? std::to_string(*run.config) : "B";
    return out;
}

/// Mean position of each arm (-1 = baseline) within its repetition's block.
std::map<long, double> mean_positions(const sweep_plan& plan, std::size_t repetitions) {
    const std::size_t block = plan.runs.size() / repetitions;
    std::map<long, double> sums;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const auto& run = plan.runs[i];
        sums[run.config ? static_cast<long>(*run.config) : -1] += static_cast<double>(i % block);
    }
    for (auto& [arm, sum] : sums) sum /= static_cast<double>(repetitions);
    return sums;
}

TEST(sweep_plan, expands_the_seed_grid_in_seed_order_with_seed_labels) {
    const auto plan = expand_sweep(spec_of(R"({"baseline": {"top_k": 40},
        "grid": {"num_gpu": [60, 80, 120], "num_ctx": [256, 512, 1024], "temperature": [0.6, 0.8]}})"));
    ASSERT_EQ(plan.configs.size(), 18u);
    EXPECT_EQ(plan.baseline.label, "baseline");
    EXPECT_EQ(plan.baseline.options.top_k, 40);
    EXPECT_EQ(plan.configs[0].label, "gpu60_ctx256_temp0.6");
    EXPECT_EQ(plan.configs[1].label, "gpu60_ctx256_temp0.8");
    EXPECT_EQ(plan.configs[2].label, "gpu60_ctx512_temp0.6");
    EXPECT_EQ(plan.configs[17].label, "gpu120_ctx1024_temp0.8");
    const auto& last = plan.configs[17].options;
    EXPECT_EQ(last.num_gpu, 120);
    EXPECT_EQ(last.num_ctx, 1024);
    EXPECT_EQ(last.temperature, 0.8);
    EXPECT_EQ(last.top_k, 40);  // the baseline's options carry into every config
    EXPECT_FALSE(last.top_p);
}

TEST(sweep_plan, a_grid_value_overrides_the_baselines_value) {
    const auto plan = expand_sweep(spec_of(R"({"baseline": {"temperature": 0.7}, "grid": {"temperature": [0.2]}})"));
    ASSERT_EQ(plan.configs.size(), 1u);
    EXPECT_EQ(plan.baseline.options.temperature, 0.7);
    EXPECT_EQ(plan.configs[0].options.temperature, 0.2);
    EXPECT_EQ(plan.configs[0].label, "temp0.2");
}

TEST(sweep_plan, pairs_mirror_rotate_and_an_odd_last_block_centres_the_baseline) {
    const auto plan = expand_sweep(spec_of(R"({"grid": {"num_ctx": [256, 512, 1024]}, "repetitions": 3})"));
    // Pair 1: forward, then reversed. Pair 2 (unpaired) rotated by 3 / 2 = 1, baseline in the middle.
    EXPECT_EQ(order_of(plan),
              "B012"
              "210B"
              "1B20");
    EXPECT_EQ(plan.runs[4].repetition, 1u);
    EXPECT_EQ(plan.runs[11].repetition, 2u);
}

TEST(sweep_plan, every_arm_runs_once_per_repetition) {
    const auto plan = expand_sweep(spec_of(R"({"grid": {"num_gpu": [60, 80], "top_k": [20, 40, 60]},
                                               "repetitions": 5})"));
    ASSERT_EQ(plan.runs.size(), 7u * 5u);
    for (std::size_t repetition = 0; repetition < 5; ++repetition) {
        std::map<long, int> seen;
        for (const auto& run : plan.runs) {
            if (run.repetition == repetition) ++seen[run.config ? static_cast<long>(*run.config) : -1];
        }
        EXPECT_EQ(seen.size(), 7u);
        for (const auto& [arm, count] : seen) EXPECT_EQ(count, 1) << "arm " << arm;
    }
}

TEST(sweep_plan, an_even_repetition_count_cancels_linear_drift_exactly) {
    const auto plan = expand_sweep(spec_of(R"({"grid": {"num_gpu": [60, 80, 120], "num_ctx": [256, 512, 1024],
                                               "temperature": [0.6, 0.8]}, "repetitions": 4})"));
    for (const auto& [arm, position] : mean_positions(plan, 4)) EXPECT_DOUBLE_EQ(position, 9.0) << "arm " << arm;
}

TEST(sweep_plan, an_odd_repetition_count_keeps_every_config_close_to_the_baseline) {
    // The naive order (baseline first in every block) puts the baseline 9.5 runs ahead of the
    // average config here; the plan bounds any config's offset by ⌈configs / 2⌉ / repetitions.
    const auto plan = expand_sweep(spec_of(R"({"grid": {"num_gpu": [60, 80, 120], "num_ctx": [256, 512, 1024],
                                               "temperature": [0.6, 0.8]}})"));
    const auto positions = mean_positions(plan, 3);
    EXPECT_DOUBLE_EQ(positions.at(-1), 9.0);  // the block's midpoint
    double total_offset = 0;
    for (const auto& [arm, position] : positions) {
        EXPECT_LE(std::abs(position - positions.at(-1)), 18.0 / (2 * 3)) << "arm " << arm;
        total_offset += position - positions.at(-1);
    }
    EXPECT_NEAR(total_offset, 0, 1e-9);  // configs as a whole sit exactly at the baseline's position
}

TEST(sweep_plan, config_of_resolves_the_baseline_and_configs) {
    const auto plan = expand_sweep(spec_of(R"({"grid": {"seed": [1, 2]}, "repetitions": 1})"));
    EXPECT_EQ(config_of(plan, {0, std::nullopt}).label, "baseline");
    EXPECT_EQ(config_of(plan, {0, 1}).label, "seed2");
    EXPECT_EQ(config_of(plan, {0, 1}).options.seed, 2);
}

TEST(sweep_plan, the_backend_is_the_outermost_axis_and_leads_the_label) {
    const auto plan = expand_sweep(spec_of(R"({"baseline": {"top_k": 40},
        "grid": {"backend": ["ollama-a", "llamacpp-b"], "temperature": [0.6, 0.8]}})"));
    ASSERT_EQ(plan.configs.size(), 4u);
    EXPECT_EQ(plan.configs[0].label, "ollama-a_temp0.6");
    EXPECT_EQ(plan.configs[1].label, "ollama-a_temp0.8");
    EXPECT_EQ(plan.configs[2].label, "llamacpp-b_temp0.6");
    EXPECT_EQ(plan.configs[3].label, "llamacpp-b_temp0.8");
    EXPECT_EQ(plan.configs[0].backend, "ollama-a");
    EXPECT_EQ(plan.configs[3].backend, "llamacpp-b");
    EXPECT_EQ(plan.configs[3].options.temperature, 0.8);
    EXPECT_EQ(plan.configs[3].options.top_k, 40);
}

TEST(sweep_plan, the_baseline_runs_on_its_named_backend_else_on_the_grids_first) {
    const auto named = expand_sweep(spec_of(R"({"baseline": {"backend": "vllm-c"},
                                                "grid": {"backend": ["ollama-a", "llamacpp-b"]}})"));
    EXPECT_EQ(named.baseline.backend, "vllm-c");
    EXPECT_EQ(named.configs[0].label, "ollama-a");
    EXPECT_EQ(named.configs[1].label, "llamacpp-b");
    EXPECT_EQ(named.configs[1].backend, "llamacpp-b");

    // No arm is left to routing, which could spread its runs over engines.
    const auto unnamed = expand_sweep(spec_of(R"({"grid": {"backend": ["ollama-a", "llamacpp-b"]}})"));
    EXPECT_EQ(unnamed.baseline.backend, "ollama-a");

    // Without a backend axis every config runs where the baseline does.
    const auto inherited = expand_sweep(spec_of(R"({"baseline": {"backend": "ollama-a"}, "grid": {"seed": [1, 2]}})"));
    EXPECT_EQ(inherited.baseline.backend, "ollama-a");
    EXPECT_EQ(inherited.configs[1].backend, "ollama-a");
    EXPECT_EQ(inherited.configs[1].label, "seed2");

    const auto routed = expand_sweep(spec_of(R"({"grid": {"seed": [1, 2]}})"));
    EXPECT_FALSE(routed.baseline.backend);
    EXPECT_FALSE(routed.configs[0].backend);
}

TEST(sweep_plan, the_fair_order_spreads_over_the_backend_axis_like_any_other) {
    // 2 backends × 2 temperatures, 4 repetitions: no engine, and no config on it, gains from drift.
    const auto plan = expand_sweep(spec_of(R"({"grid": {"backend": ["ollama-a", "llamacpp-b"],
                                               "temperature": [0.6, 0.8]}, "repetitions": 4})"));
    ASSERT_EQ(plan.runs.size(), 5u * 4u);
    for (const auto& [arm, position] : mean_positions(plan, 4)) EXPECT_DOUBLE_EQ(position, 2.0) << "arm " << arm;
    double llamacpp_position = 0;
    double ollama_position = 0;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const auto& run = plan.runs[i];
        if (!run.config) continue;
        (config_of(plan, run).backend == "llamacpp-b" ? llamacpp_position : ollama_position) +=
            static_cast<double>(i % 5);
    }
    EXPECT_DOUBLE_EQ(llamacpp_position, ollama_position);
}

}  // namespace
}  // namespace chimera::core
