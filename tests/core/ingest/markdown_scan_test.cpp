#include "markdown_scan.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

std::size_t count_atx_headings(std::string_view text) { return scan_markdown(text).markdown_headings; }

std::size_t count_tables(std::string_view text) { return scan_markdown(text).markdown_tables; }

TEST(markdown_scan, counts_atx_headings_of_levels_one_to_six) {
    EXPECT_EQ(count_atx_headings("# One\n## Two\n###### Six\n####### Seven is text\n"), 3U);
}

TEST(markdown_scan, needs_a_space_after_the_hashes) {
    EXPECT_EQ(count_atx_headings("#hashtag\n#\n#\tTab\n   ### Indented three\n    # Indented code\n"), 3U);
}

TEST(markdown_scan, ignores_hashes_inside_fenced_code) {
    const std::string text =
        "# Real\n"
        "```bash\n# a shell comment\n```\n"
        "~~~~\n# python comment\n~~~\n# still code: the fence needs four tildes\n~~~~\n"
        "## Real again\r\n";
    EXPECT_EQ(count_atx_headings(text), 2U);
}

TEST(markdown_scan, an_unclosed_fence_runs_to_the_end) { EXPECT_EQ(count_atx_headings("# A\n```\n# B\n"), 1U); }

TEST(markdown_scan, a_leading_bom_does_not_hide_the_first_heading) {
    EXPECT_EQ(count_atx_headings("\xEF\xBB\xBF# Title\n## Two\n"), 2U);
}

TEST(markdown_scan, recognises_pipe_tables_by_their_delimiter_row) {
    const std::string text =
        "| model | tok/s |\n"
        "|:------|------:|\n"
        "| a     | 1     |\n"
        "\n"
        "name | ttft\n"
        "--- | :-:\n"
        "x | 2\n";
    const auto scan = scan_markdown(text);
    EXPECT_EQ(scan.markdown_tables, 2U);
    EXPECT_EQ(scan.markdown_headings, 0U);
    EXPECT_TRUE(scan.error.empty());
}

TEST(markdown_scan, a_table_needs_as_many_delimiter_cells_as_header_cells) {
    EXPECT_EQ(count_tables("| a | b | c |\n| --- | --- |\n| 1 | 2 | 3 |\n"), 0U);
    EXPECT_EQ(count_tables("| a \\| b |\n| --- |\n"), 1U);  // an escaped pipe is text, not a separator
}

TEST(markdown_scan, lines_that_only_look_like_tables_are_not) {
    EXPECT_EQ(count_tables("Title\n---\n"), 0U);                          // a setext underline
    EXPECT_EQ(count_tables("| a | b |\n| x | y |\n"), 0U);                // no delimiter row
    EXPECT_EQ(count_tables("```\n| a | b |\n| --- | --- |\n```\n"), 0U);  // fenced code
    EXPECT_EQ(count_tables("| a |\n\n| --- |\n"), 0U);                    // a blank line in between
}

TEST(markdown_scan, rows_of_one_table_are_not_counted_as_further_tables) {
    const std::string text =
        "| a | b |\n| --- | --- |\n| 1 | 2 |\n| --- | --- |\n"
        "## Next\n| c | d |\n| - | - |\n";
    EXPECT_EQ(count_tables(text), 2U);
    EXPECT_EQ(count_atx_headings(text), 1U);
}

TEST(markdown_scan, empty_text_has_nothing) {
    const auto scan = scan_markdown("");
    EXPECT_EQ(scan.markdown_headings, 0U);
    EXPECT_EQ(scan.markdown_tables, 0U);
}

}  // namespace
}  // namespace chimera::core::detail
