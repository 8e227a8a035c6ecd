#include "duration_parse.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

TEST(parse_duration, reads_each_unit) {
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("10m"), 10min);
    EXPECT_EQ(parse_duration("1h"), 1h);
}

TEST(parse_duration, bare_number_means_seconds) {
    EXPECT_EQ(parse_duration("5"), 5s);
    EXPECT_EQ(parse_duration("0"), 0ms);
}

TEST(parse_duration, rejects_malformed_text) {
    for (const auto* text : {"", "ms", "5x", "-1s", "+5s", " 5s", "5 s", "1.5s", "5S", "s5"}) {
        EXPECT_EQ(parse_duration(text), std::nullopt) << text;
    }
}

TEST(parse_duration, refuses_values_that_would_overflow) {
    EXPECT_EQ(parse_duration("18446744073709551615ms"), std::nullopt);
    EXPECT_EQ(parse_duration("5124095576030432h"), std::nullopt);
    EXPECT_EQ(parse_duration("366000h"), std::nullopt);
    EXPECT_EQ(parse_duration("8760h"), std::chrono::milliseconds{8760LL * 3'600'000});
}

}  // namespace
}  // namespace chimera::service
