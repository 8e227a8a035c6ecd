#include "chimera/core/llm/prompts.hpp"

#include <gtest/gtest.h>

#include "chimera/core/llm/analysis.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::contains;

TEST(prompts, the_analysis_prompt_asks_for_the_three_parseable_sections_around_the_data) {
    const auto prompt = build_analysis_prompt("Total files analysed: 101\n");
    EXPECT_TRUE(contains(prompt, "performance analysis expert"));
    EXPECT_TRUE(contains(prompt, "Total files analysed: 101\n"));
    const auto summary = prompt.find("\n## Summary\n");
    const auto findings = prompt.find("\n## Key Findings\n");
    const auto recommendations = prompt.find("\n## Recommendations\n");
    ASSERT_NE(summary, std::string::npos);
    ASSERT_NE(findings, std::string::npos);
    ASSERT_NE(recommendations, std::string::npos);
    EXPECT_LT(summary, findings);
    EXPECT_LT(findings, recommendations);
}

TEST(prompts, a_model_answer_in_the_requested_shape_parses_back) {
    // The format instructions themselves are a well-formed answer: the parser must read them.
    const auto prompt = build_analysis_prompt("data");
    const auto parsed = parse_analysis(prompt.substr(prompt.find("## Summary")));
    EXPECT_FALSE(parsed.summary.empty());
    EXPECT_EQ(parsed.key_findings.size(), 1U);
    EXPECT_EQ(parsed.recommendations.size(), 1U);
}

TEST(prompts, the_report_prompt_carries_the_analysis_and_the_tr108_structure) {
    analysis parsed;
    parsed.summary = "Throughput is flat across configurations.";
    parsed.key_findings = {"gemma3 decodes at 101 tok/s", "TTFT is dominated by load"};
    parsed.recommendations = {"Keep the model warm"};
    const auto prompt = build_report_prompt(parsed, "Total files analysed: 101\n");
    EXPECT_TRUE(contains(prompt, "Technical Report 108"));
    EXPECT_TRUE(contains(prompt, "- Summary: Throughput is flat across configurations.\n"));
    EXPECT_TRUE(contains(prompt, "1. gemma3 decodes at 101 tok/s\n2. TTFT is dominated by load\n"));
    EXPECT_TRUE(contains(prompt, "- Recommendations:\n1. Keep the model warm\n"));
    EXPECT_TRUE(contains(prompt, "Total files analysed: 101\n"));
    std::size_t last = 0;
    for (const char* section : {"1. Executive Summary", "2. Data Ingestion Summary", "3. Performance Analysis",
                                "4. Key Findings", "5. Recommendations", "6. Appendix"}) {
        const auto at = prompt.find(section);
        ASSERT_NE(at, std::string::npos) << section;
        EXPECT_GT(at, last) << section;
        last = at;
    }
}

TEST(prompts, the_report_prompt_says_when_the_analysis_was_empty) {
    const auto prompt = build_report_prompt({}, "");
    EXPECT_TRUE(contains(prompt, "- Summary: None provided\n"));
    EXPECT_TRUE(contains(prompt, "- Key Findings:\nNone provided\n"));
    EXPECT_TRUE(contains(prompt, "- Recommendations:\nNone provided\n"));
}

}  // namespace
}  // namespace chimera::core
