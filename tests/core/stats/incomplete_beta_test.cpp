#include "chimera/core/stats/incomplete_beta.hpp"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(incomplete_beta, matches_closed_forms) {
    EXPECT_NEAR(regularized_incomplete_beta(1, 1, 0.37), 0.37, 1e-15);                 // uniform
    EXPECT_NEAR(regularized_incomplete_beta(2.5, 1, 0.3), std::pow(0.3, 2.5), 1e-15);  // I_x(a,1) = x^a
    EXPECT_NEAR(regularized_incomplete_beta(1, 3.7, 0.2), 1 - std::pow(0.8, 3.7), 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(7.3, 7.3, 0.5), 0.5, 1e-14);  // symmetric
}

TEST(incomplete_beta, matches_mpmath_reference_values) {
    // mpmath.betainc(a, b, 0, x, regularized=True) at 40 digits.
    EXPECT_NEAR(regularized_incomplete_beta(5, 0.5, 0.8), 0.14492760540408047, 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(0.5, 0.5, 0.3), 0.36901011956554538, 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(30, 40, 0.45), 0.64474800855856811, 1e-13);
    EXPECT_NEAR(regularized_incomplete_beta(200, 300, 0.41), 0.67762816477217895, 1e-12);
}

TEST(incomplete_beta, obeys_the_reflection_identity) {
    const double a = 3.25, b = 0.75, x = 0.62;
    EXPECT_NEAR(regularized_incomplete_beta(a, b, x), 1 - regularized_incomplete_beta(b, a, 1 - x), 1e-14);
}

TEST(incomplete_beta, is_zero_and_one_at_the_ends) {
    EXPECT_EQ(regularized_incomplete_beta(2, 3, 0), 0);
    EXPECT_EQ(regularized_incomplete_beta(2, 3, 1), 1);
}

TEST(incomplete_beta, refuses_arguments_outside_its_domain) {
    EXPECT_THROW((void)regularized_incomplete_beta(0, 1, 0.5), std::domain_error);
    EXPECT_THROW((void)regularized_incomplete_beta(1, -1, 0.5), std::domain_error);
    EXPECT_THROW((void)regularized_incomplete_beta(1, 1, 1.5), std::domain_error);
    EXPECT_THROW((void)regularized_incomplete_beta(1, 1, std::nan("")), std::domain_error);
}

}  // namespace
}  // namespace chimera::core
