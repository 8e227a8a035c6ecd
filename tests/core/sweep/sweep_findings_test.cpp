#include "chimera/core/sweep/sweep_findings.hpp"

#include <gtest/gtest.h>

#include "sweep_test_support.hpp"

namespace chimera::core {
namespace {

using test::arm_of;
using test::run_with;
using test::small_sweep;

bool any_contains(const std::vector<std::string>& findings, std::string_view part) {
    for (const auto& finding : findings) {
        if (finding.find(part) != std::string::npos) return true;
    }
    return false;
}

std::string joined(const std::vector<std::string>& findings) {
    std::string out;
    for (const auto& finding : findings) out += finding + "\n";
    return out;
}

TEST(sweep_findings, names_best_worst_success_and_significance) {
    const auto findings = summarize_findings(analyze_sweep(small_sweep()));
    const auto text = joined(findings);
    EXPECT_TRUE(any_contains(findings, "2 configurations with data, 6 runs in all against one baseline.")) << text;
    EXPECT_TRUE(any_contains(findings, "Highest throughput: gpu80_ctx512_temp0.8 at 101.50 tok/s (+3.05% vs baseline)"))
        << text;
    EXPECT_TRUE(any_contains(findings, "lowest: gpu60_ctx256_temp0.6 at 97.77 tok/s (-0.74% vs baseline)")) << text;
    EXPECT_TRUE(any_contains(findings, "1 of 2 configurations (50.0%) beat their baseline's throughput")) << text;
    EXPECT_TRUE(any_contains(findings,
                             "1 of 2 tested configurations differ from their baseline's throughput at p < "
                             "0.05 (Welch): gpu80_ctx512_temp0.8 (+3.05%, p = 0.002)"))
        << text;
    // Cross-config CV 2.65% against a median within-config CV of 0.59%.
    EXPECT_TRUE(any_contains(findings,
                             "Config means vary by 2.65% CV vs a median run-to-run CV of 0.59%: the configs "
                             "differ by more than the noise"))
        << text;
    EXPECT_TRUE(any_contains(findings, "Mean TTFT change across configurations: +2.05%")) << text;
    EXPECT_TRUE(any_contains(findings, "9 of 18 calls were cold starts")) << text;
}

TEST(sweep_findings, says_when_single_runs_allow_no_test) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline/a", {run_with(100, {{3600, 3300}})}));
    sweep.configs.push_back({arm_of("a", {run_with(101, {{3500, 3300}})}), 0, true});
    const auto findings = summarize_findings(analyze_sweep(sweep));
    const auto text = joined(findings);
    EXPECT_TRUE(any_contains(findings, "No significance test")) << text;
    EXPECT_TRUE(any_contains(findings, "Cross-config spread unknown")) << text;
    EXPECT_TRUE(any_contains(findings, "Every call with a recorded load_duration loaded the model (2 cold starts)"))
        << text;
}

TEST(sweep_findings, says_when_start_kinds_are_unknown) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline", {}));
    auto unknown = arm_of("a", {run_with(100, {})});
    unknown.runs[0].calls.push_back({1400, std::nullopt});
    sweep.configs.push_back({unknown, 0, true});
    const auto findings = summarize_findings(analyze_sweep(sweep));
    EXPECT_TRUE(any_contains(findings, "1 call recorded no load_duration")) << joined(findings);
}

TEST(sweep_findings, a_sweep_without_data_says_so) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline", {}));
    EXPECT_EQ(summarize_findings(analyze_sweep(sweep)),
              std::vector<std::string>{"No configuration has successful runs yet."});
}

TEST(sweep_findings, a_cancelled_sweep_says_it_was_cancelled) {
    sweep_observations empty;
    empty.baselines.push_back(arm_of("baseline", {}));
    auto nothing_ran = analyze_sweep(empty);
    nothing_ran.cancelled = true;
    EXPECT_EQ(summarize_findings(nothing_ran),
              std::vector<std::string>{"The sweep was cancelled before any configuration had a successful run."});
    auto some_ran = analyze_sweep(small_sweep());
    some_ran.cancelled = true;
    const auto findings = summarize_findings(some_ran);
    ASSERT_FALSE(findings.empty());
    EXPECT_EQ(findings.front(), "The sweep was cancelled: these figures cover only the runs that finished before it.");
    EXPECT_TRUE(any_contains(findings, "2 configurations with data")) << joined(findings);
}

}  // namespace
}  // namespace chimera::core
