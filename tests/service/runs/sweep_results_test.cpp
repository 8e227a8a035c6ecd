#include "chimera/runs/sweep_results.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::service {
namespace {

using core::run_status;

constexpr const char* spec_json = R"({"grid":{"num_ctx":[256,512]},"repetitions":2})";

/// A run document whose one call decodes `tokens` in one second.
std::string document_with_rate(std::int64_t tokens) {
    return nlohmann::json{{"calls",
                           {{{"ttft_ms", 50.0},
                             {"tokens_generated", tokens},
                             {"eval_ms", 1000.0},
                             {"load_ms", 2.0},
                             {"total_ms", 1100.0}}}}}
        .dump();
}

/// The plan's runs, each succeeded at a rate that tells its arm: baseline 100 tok/s,
/// configs 120 + 10 × index.
std::vector<stored_run> runs_of_plan(const core::sweep_plan& plan) {
    std::vector<stored_run> runs;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        stored_run run;
        // Appended, not `"r" + …`: GCC 12 warns (-Wrestrict) about the latter with false positives.
        run.id = std::string{"r"}.append(std::to_string(i));
        run.status = run_status::succeeded;
        run.sweep_index = static_cast<std::int64_t>(i);
        const auto config = plan.runs[i].config;
        run.document = document_with_rate(config ? 120 + 10 * static_cast<std::int64_t>(*config) : 100);
        runs.push_back(run);
    }
    return runs;
}

stored_sweep stored(const std::string& spec) {
    stored_sweep sweep;
    sweep.id = std::string{"s"};
    sweep.model = std::string{"gemma3:latest"};
    sweep.spec = spec;
    return sweep;
}

core::sweep_plan plan_of(const std::string& spec) {
    return core::expand_sweep(std::get<core::sweep_spec>(core::parse_sweep_spec(spec)));
}

TEST(sweep_results, each_successful_run_counts_for_its_planned_arm) {
    const auto plan = plan_of(spec_json);
    auto runs = runs_of_plan(plan);
    // A failed run contributes nothing, whatever its document says.
    for (auto& run : runs) {
        if (run.sweep_index == 0) run.status = run_status::failed;
    }
    const auto result = sweep_results(stored(spec_json), runs);
    EXPECT_EQ(result.model, "gemma3:latest");
    ASSERT_EQ(result.baselines.size(), 1U);
    ASSERT_EQ(result.configs.size(), 2U);
    const bool first_is_baseline = !plan.runs[0].config;
    EXPECT_EQ(result.baselines[0].runs, first_is_baseline ? 1U : 2U);
    ASSERT_TRUE(result.baselines[0].tok_s);
    EXPECT_DOUBLE_EQ(result.baselines[0].tok_s->mean, 100);
    for (std::size_t c = 0; c < 2; ++c) {
        EXPECT_EQ(result.configs[c].summary.label, plan.configs[c].label);
        ASSERT_TRUE(result.configs[c].summary.tok_s);
        EXPECT_DOUBLE_EQ(result.configs[c].summary.tok_s->mean, 120 + 10 * static_cast<double>(c));
        ASSERT_TRUE(result.configs[c].vs_baseline.tok_s_delta_pct);
        EXPECT_NEAR(*result.configs[c].vs_baseline.tok_s_delta_pct, 20 + 10 * static_cast<double>(c), 1e-9);
    }
}

TEST(sweep_results, a_run_outside_the_plan_is_a_store_error) {
    auto runs = runs_of_plan(plan_of(spec_json));
    runs.back().sweep_index = 99;
    EXPECT_THROW((void)sweep_results(stored(spec_json), runs), store_error);
}

TEST(sweep_results, an_unparsable_stored_spec_is_a_store_error) {
    EXPECT_THROW((void)sweep_results(stored(R"({"grid":{}})"), {}), store_error);
}

TEST(sweep_results, a_cancelled_sweep_is_reported_as_cancelled) {
    auto sweep = stored(spec_json);
    EXPECT_FALSE(sweep_results(sweep, {}).cancelled);
    sweep.status = run_status::cancelled;
    EXPECT_TRUE(sweep_results(sweep, {}).cancelled);
}

}  // namespace
}  // namespace chimera::service
