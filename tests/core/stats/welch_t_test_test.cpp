#include "chimera/core/stats/welch_t_test.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

// t and df from the Welch formulas in Python (statistics.mean / variance), p from mpmath's
// regularized incomplete beta at 40 digits.

TEST(welch_t_test, matches_a_reference_computation) {
    const std::vector<double> config{114.2, 115.9, 116.4, 113.8, 115.1};
    const std::vector<double> baseline{112.0, 113.5, 112.9, 114.1};
    const auto result = welch_t_test(config, baseline);
    ASSERT_TRUE(result);
    EXPECT_NEAR(result->t, 2.940514635576669, 1e-12);
    EXPECT_NEAR(result->degrees_of_freedom, 6.98174371046179, 1e-12);
    EXPECT_NEAR(result->p_two_sided, 0.021761831308279708, 1e-12);
}

TEST(welch_t_test, is_antisymmetric_in_its_samples) {
    const std::vector<double> a{1, 2, 3, 4};
    const std::vector<double> b{2, 4, 6};
    const auto ab = welch_t_test(a, b);
    const auto ba = welch_t_test(b, a);
    ASSERT_TRUE(ab && ba);
    EXPECT_DOUBLE_EQ(ab->t, -ba->t);
    EXPECT_DOUBLE_EQ(ab->p_two_sided, ba->p_two_sided);
}

TEST(welch_t_test, one_constant_sample_leaves_the_other_sides_degrees_of_freedom) {
    const std::vector<double> constant{10, 10, 10};
    const std::vector<double> varying{9, 11, 12};
    const auto result = welch_t_test(constant, varying);
    ASSERT_TRUE(result);
    EXPECT_NEAR(result->t, -0.7559289460184537, 1e-14);
    EXPECT_NEAR(result->degrees_of_freedom, 2.0, 1e-14);
    EXPECT_NEAR(result->p_two_sided, 0.52859547920896867, 1e-13);
}

TEST(welch_t_test, is_undefined_for_single_runs_or_no_variance) {
    const std::vector<double> one{99.1};
    const std::vector<double> two{98.0, 98.5};
    EXPECT_FALSE(welch_t_test(one, two));
    EXPECT_FALSE(welch_t_test(two, one));
    const std::vector<double> flat_a{5, 5};
    const std::vector<double> flat_b{6, 6, 6};
    EXPECT_FALSE(welch_t_test(flat_a, flat_b));
}

}  // namespace
}  // namespace chimera::core
