#include "chimera/core/text/terminal_text.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

TEST(terminal_text, plain_text_is_left_as_it_is) {
    EXPECT_EQ(terminal_text("a report\n\twith lines, ümlauts and |pipes|\n"),
              "a report\n\twith lines, ümlauts and |pipes|\n");
}

TEST(terminal_text, escape_sequences_and_bells_are_shown_not_sent) {
    EXPECT_EQ(terminal_text("evil\x1b]0;pwned\x07.csv"), "evil\u241b]0;pwned\u2407.csv");
    EXPECT_EQ(terminal_text("\x1b[31mred"), "\u241b[31mred");
    EXPECT_EQ(terminal_text(std::string_view{"nul\0del\x7f", 8}), "nul\u2400del\u2421");
}

TEST(terminal_text, c1_controls_become_the_replacement_character) {
    EXPECT_EQ(terminal_text("csi\xc2\x9b"
                            "31m and nel\xc2\x85"),
              "csi\ufffd31m and nel\ufffd");
    EXPECT_EQ(terminal_text("\xc2\xa0no-break space stays"), "\xc2\xa0no-break space stays");
}

TEST(terminal_text, crlf_becomes_lf_and_a_lone_cr_is_shown) {
    EXPECT_EQ(terminal_text("one\r\ntwo\rover"), "one\ntwo\u240dover");
}

TEST(terminal_text, one_line_shows_line_feeds_and_tabs_too) {
    EXPECT_EQ(terminal_text("a\nb\tc\r\n", line_breaks::show), "a\u240ab\u2409c\u240d\u240a");
}

}  // namespace
}  // namespace chimera::core::detail
