#include "chimera/core/llm/retry_backoff.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

using std::chrono::milliseconds;

TEST(RetryBackoff, CeilingDoublesPerAttemptUpToTheCap) {
    const retry_backoff backoff{milliseconds{100}, milliseconds{1000}};
    constexpr double almost_one = 0.999999;
    EXPECT_EQ(backoff.delay_before(2, almost_one), milliseconds{99});
    EXPECT_EQ(backoff.delay_before(3, almost_one), milliseconds{199});
    EXPECT_EQ(backoff.delay_before(4, almost_one), milliseconds{399});
    EXPECT_EQ(backoff.delay_before(6, almost_one), milliseconds{999});
    EXPECT_EQ(backoff.delay_before(40, almost_one), milliseconds{999});
}

TEST(RetryBackoff, JitterScalesTheWaitFromZero) {
    const retry_backoff backoff{milliseconds{100}, milliseconds{1000}};
    EXPECT_EQ(backoff.delay_before(3, 0.0), milliseconds{0});
    EXPECT_EQ(backoff.delay_before(3, 0.5), milliseconds{100});
    EXPECT_EQ(backoff.delay_before(3, 7.0), milliseconds{200}) << "out-of-range randomness is clamped";
}

}  // namespace
}  // namespace chimera::core
