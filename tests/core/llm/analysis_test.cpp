#include "chimera/core/llm/analysis.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace chimera::core {
namespace {

using strings = std::vector<std::string>;

analysis parse_sample(const char* name) {
    return parse_analysis(test::read_text(test::data_dir() / "llm_samples" / name));
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

TEST(analysis, parses_the_requested_shape) {
    const auto parsed = parse_analysis(
        "## Summary\n"
        "The sweep covers 101 files.\n"
        "Throughput is flat.\n"
        "\n"
        "## Key Findings\n"
        "- Rust decodes **15%** faster.\n"
        "- TTFT is dominated by\n"
        "  model load.\n"
        "\n"
        "## Recommendations\n"
        "1. Keep the model warm.\n"
        "2) Use num_gpu=80.\n");
    EXPECT_EQ(parsed.summary, "The sweep covers 101 files. Throughput is flat.");
    EXPECT_EQ(parsed.key_findings, (strings{"Rust decodes 15% faster.", "TTFT is dominated by model load."}));
    EXPECT_EQ(parsed.recommendations, (strings{"Keep the model warm.", "Use num_gpu=80."}));
}

TEST(analysis, accepts_bold_labels_any_heading_level_and_case) {
    const auto parsed = parse_analysis(
        "**Executive Summary:**\n"
        "All good.\n"
        "#### KEY FINDINGS ####\n"
        "* one\n"
        "+ two\n"
        "• three\n"
        "**Recommendations**\n"
        "- do it\n");
    EXPECT_EQ(parsed.summary, "All good.");
    EXPECT_EQ(parsed.key_findings, (strings{"one", "two", "three"}));
    EXPECT_EQ(parsed.recommendations, (strings{"do it"}));
}

TEST(analysis, takes_inline_text_after_a_bold_section_label) {
    const auto parsed = parse_analysis("**Summary:** Load dominates TTFT.\n\n**Key Findings**: \n- a\n");
    EXPECT_EQ(parsed.summary, "Load dominates TTFT.");
    EXPECT_EQ(parsed.key_findings, (strings{"a"}));
}

TEST(analysis, falls_back_to_the_first_paragraph_for_the_summary) {
    const auto parsed = parse_analysis("# Analysis\n\nFirst paragraph\ncontinues here.\n\nSecond paragraph.\n");
    EXPECT_EQ(parsed.summary, "First paragraph continues here.");
    EXPECT_TRUE(parsed.key_findings.empty());
    EXPECT_TRUE(parsed.recommendations.empty());
}

TEST(analysis, subsections_stay_in_their_section_and_nested_bullets_join_their_item) {
    const auto parsed = parse_analysis(
        "## Key Findings\n"
        "### Throughput\n"
        "- fast\n"
        "  - about 100 tok/s\n"
        "### Latency\n"
        "- slow start\n"
        "## Appendix\n"
        "- not a finding\n");
    EXPECT_EQ(parsed.key_findings, (strings{"fast about 100 tok/s", "slow start"}));
}

TEST(analysis, ignores_code_tables_rules_and_trailing_prose) {
    const auto parsed = parse_analysis(
        "## Recommendations\n"
        "- first\n"
        "```\n- not an item\n## Summary\n```\n"
        "| a | b |\n"
        "---\n"
        "\n"
        "That is all.\n"
        "- second\n");
    EXPECT_EQ(parsed.recommendations, (strings{"first", "second"}));
    EXPECT_TRUE(parsed.summary.empty());
}

TEST(analysis, caps_the_number_and_size_of_items) {
    std::string text = "## Key Findings\n";
    for (int i = 0; i < 30; ++i) text += "- finding " + std::to_string(i) + "\n";
    // Appended piece by piece: GCC 12 at -O3 warns falsely (-Warray-bounds) on a chain of string +.
    text.append("## Recommendations\n- ").append(300, 'x').append("é").append(300, 'y').append("\n");
    const auto parsed = parse_analysis(text);
    EXPECT_EQ(parsed.key_findings.size(), 20U);
    EXPECT_EQ(parsed.key_findings.back(), "finding 19");
    ASSERT_EQ(parsed.recommendations.size(), 1U);
    EXPECT_LE(parsed.recommendations[0].size(), 500U);
    EXPECT_GE(parsed.recommendations[0].size(), 498U);
}

TEST(analysis, empty_text_gives_an_empty_analysis) {
    const auto parsed = parse_analysis("");
    EXPECT_TRUE(parsed.summary.empty());
    EXPECT_TRUE(parsed.key_findings.empty());
    EXPECT_TRUE(parsed.recommendations.empty());
}

TEST(analysis, real_gemma3_report_with_bold_numbered_sections) {
    const auto parsed = parse_sample("gemma3_gpu60_ctx256_temp0p6_chimera_report.md");
    EXPECT_TRUE(starts_with(parsed.summary, "This report details the initial optimization of the Gemma3 model"))
        << parsed.summary;
    EXPECT_NE(parsed.summary.find("before drawing definitive conclusions."), std::string::npos);
    ASSERT_EQ(parsed.key_findings.size(), 3U);
    EXPECT_EQ(parsed.key_findings[0],
              "The Chimera framework, when configured as described, achieved the expected throughput and TTFT for "
              "the Gemma3 model.");
    ASSERT_EQ(parsed.recommendations.size(), 3U);
    EXPECT_TRUE(starts_with(parsed.recommendations[0], "Investigate Data Ingestion: The primary recommendation"));
    EXPECT_NE(parsed.recommendations[0].find("Verification of the data source connection."), std::string::npos);
    EXPECT_TRUE(starts_with(parsed.recommendations[2], "Monitor Performance:"));
}

TEST(analysis, real_gemma3_report_with_numbered_recommendations_and_sub_bullets) {
    const auto parsed = parse_sample("gemma3_gpu60_ctx512_temp0p8_baseline_report.md");
    EXPECT_TRUE(starts_with(parsed.summary, "This report details the initial analysis of a benchmark dataset"))
        << parsed.summary;
    ASSERT_EQ(parsed.key_findings.size(), 3U);
    EXPECT_TRUE(starts_with(parsed.key_findings[0], "Critical Data Absence: The most significant finding"));
    ASSERT_EQ(parsed.recommendations.size(), 5U);
    EXPECT_TRUE(starts_with(parsed.recommendations[1], "Define and Monitor Key Performance Indicators (KPIs):"));
    EXPECT_NE(parsed.recommendations[1].find("Throughput (Files/Second)"), std::string::npos);
    EXPECT_TRUE(starts_with(parsed.recommendations[4], "Iterative Testing and Data Analysis:"));
}

TEST(analysis, real_gemma3_reply_without_any_structure) {
    // The model answered "đợi chút nhé!" ("wait a moment!"); only the agent's header has text.
    const auto parsed = parse_sample("gemma3_gpu60_ctx512_temp0p8_chimera_report.md");
    EXPECT_TRUE(parsed.key_findings.empty());
    EXPECT_TRUE(parsed.recommendations.empty());
    EXPECT_TRUE(starts_with(parsed.summary, "Date: 2025-10-09")) << parsed.summary;
}

}  // namespace
}  // namespace chimera::core
