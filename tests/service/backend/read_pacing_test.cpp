#include "read_pacing.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using clock = read_pacing::clock;

const clock::time_point t0{};

TEST(ReadPacing, NoReadIsHeldBeforeTheFirstToken) {
    read_pacing pacing{t0};
    EXPECT_FALSE(pacing.after_read(t0 + 100us, 5, false));
}

TEST(ReadPacing, AStreamOfOneTokenPerWindowOrSlowerIsReadAsEachTokenLands) {
    read_pacing pacing{t0};
    EXPECT_FALSE(pacing.after_read(t0 + 5ms, 1, true));
    EXPECT_FALSE(pacing.after_read(t0 + 7ms, 1, true));  // exactly one per min_window: not faster
    EXPECT_FALSE(pacing.after_read(t0 + 9ms, 0, true));  // a partial line
}

TEST(ReadPacing, AFastStreamWaitsForTokensPerWakeAtItsRate) {
    read_pacing pacing{t0};
    // 20,000 tok/s: 40 tokens in 2 ms; 256 of them take 12.8 ms.
    const auto due = pacing.after_read(t0 + 2ms, 40, true);
    ASSERT_TRUE(due);
    EXPECT_EQ(*due, t0 + 2ms + 12800us);
}

TEST(ReadPacing, TheWindowStaysWithinItsBounds) {
    read_pacing pacing{t0};
    const auto very_fast = pacing.after_read(t0 + 1ms, 1000, true);
    ASSERT_TRUE(very_fast);
    EXPECT_EQ(*very_fast - (t0 + 1ms), read_pacing::min_window);
    const auto moderate = pacing.after_read(t0 + 2ms, 2, true);  // 2,000 tok/s: 256 tokens take 128 ms
    ASSERT_TRUE(moderate);
    EXPECT_EQ(*moderate - (t0 + 2ms), read_pacing::max_window);
}

TEST(ReadPacing, AStreamThatSlowsDownIsNoLongerHeld) {
    read_pacing pacing{t0};
    ASSERT_TRUE(pacing.after_read(t0 + 2ms, 40, true));
    EXPECT_FALSE(pacing.after_read(t0 + 10ms, 3, true));  // 3 tokens in 8 ms
}

TEST(ReadPacing, ADrainedReadsTokensCountWithTheReadThatFollows) {
    read_pacing pacing{t0};
    pacing.after_drain(30);
    const auto due = pacing.after_read(t0 + 2ms, 10, true);
    ASSERT_TRUE(due);
    EXPECT_EQ(*due, t0 + 2ms + 12800us);
    EXPECT_FALSE(pacing.after_read(t0 + 4ms, 1, true));  // had the 30 counted again, it would be fast
}

}  // namespace
}  // namespace chimera::service
