#include "chimera/core/text/utf8.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

TEST(utf8, accepts_well_formed_text) {
    EXPECT_FALSE(find_invalid_utf8(""));
    EXPECT_FALSE(find_invalid_utf8("plain ASCII, longer than one eight-byte block"));
    EXPECT_FALSE(find_invalid_utf8("café — 速度 𝄞 end"));
}

TEST(utf8, reports_the_offset_of_the_first_bad_byte) {
    EXPECT_EQ(find_invalid_utf8("abcdefghij\xffxyz"), 10U);
    EXPECT_EQ(find_invalid_utf8("caf\xc3"), 3U);           // truncated at end of input
    EXPECT_EQ(find_invalid_utf8("\xc0\xaf"), 0U);          // overlong '/'
    EXPECT_EQ(find_invalid_utf8("ok \xed\xa0\x80"), 3U);   // UTF-16 surrogate
    EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0U);  // above U+10FFFF
    EXPECT_EQ(find_invalid_utf8("é\x80"), 2U);             // stray continuation byte
}

TEST(utf8, prefix_never_cuts_a_character) {
    EXPECT_EQ(utf8_prefix("café", 4), "caf");
    EXPECT_EQ(utf8_prefix("café", 5), "café");
    EXPECT_EQ(utf8_prefix("—x", 2), "");
    EXPECT_EQ(utf8_prefix("abc", 10), "abc");
}

TEST(utf8, length_counts_code_points) {
    EXPECT_EQ(utf8_length("café"), 4U);
    EXPECT_EQ(utf8_length("速度"), 2U);
}

TEST(utf8, sanitize_replaces_only_the_bad_bytes) {
    EXPECT_EQ(sanitize_utf8("fine"), "fine");
    EXPECT_EQ(sanitize_utf8("a\xffz é"), "a\xEF\xBF\xBDz é");
    EXPECT_EQ(sanitize_utf8("\xe2\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_FALSE(find_invalid_utf8(sanitize_utf8("\xc3\x28\xa0\xa1\xf0\x28\x8c\xbc")));
}

}  // namespace
}  // namespace chimera::core::detail
