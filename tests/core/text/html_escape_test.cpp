#include "chimera/core/text/html_escape.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

TEST(html_escape, markup_characters_become_references) {
    EXPECT_EQ(html_escape("<img src=x onerror=\"a('b')\"> & co"),
              "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt; &amp; co");
}

TEST(html_escape, plain_utf8_is_kept) { EXPECT_EQ(html_escape("gpu60_ctx256 – ümlaut Δ"), "gpu60_ctx256 – ümlaut Δ"); }

TEST(html_escape, controls_and_ill_formed_bytes_cannot_reach_the_page) {
    EXPECT_EQ(html_escape("a\x1b[31mb\nc"), "a\u241b[31mb\u240ac");
    EXPECT_EQ(html_escape("bad\xff"), "bad\uFFFD");
}

}  // namespace
}  // namespace chimera::core::detail
