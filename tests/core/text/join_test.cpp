#include "chimera/core/text/join.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(Join, PutsTheSeparatorBetweenTextsOnly) {
    const std::vector<std::string> names{"a", "b", "c"};
    EXPECT_EQ(join(names, ", "), "a, b, c");
}

TEST(Join, OfNothingIsEmptyAndOfOneIsThatOne) {
    EXPECT_EQ(join(std::vector<std::string>{}, ", "), "");
    EXPECT_EQ(join(std::array<std::string_view, 1>{"only"}, "; "), "only");
}

TEST(Join, KeepsEmptyTextsInTheirPlaces) {
    const std::array<std::string_view, 3> texts{"", "x", ""};
    EXPECT_EQ(join(texts, "|"), "|x|");
}

}  // namespace
}  // namespace chimera::core
