#include "markdown_scan.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

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

TEST(markdown_scan, rejects_invalid_utf8_naming_the_offset) {
    EXPECT_EQ(scan_markdown("# ok\n\xff").error, "invalid UTF-8 at byte 5");
    const auto scan = scan_markdown("");
    EXPECT_TRUE(scan.error.empty());
    EXPECT_EQ(scan.markdown_headings, 0U);
}

}  // namespace
}  // namespace chimera::core::detail
