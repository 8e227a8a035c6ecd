#include "chimera/core/stats/student_t.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(student_t, one_degree_of_freedom_is_the_cauchy_distribution) {
    for (const double t : {-4.0, -0.3, 0.0, 1.0, 2.5}) {
        EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / std::numbers::pi, 1e-14) << t;
    }
}

TEST(student_t, two_degrees_of_freedom_has_a_closed_form) {
    for (const double t : {-3.0, 0.7, 5.0}) {
        EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-14) << t;
    }
}

TEST(student_t, table_critical_values_give_p_of_five_percent) {
    EXPECT_NEAR(student_t_two_sided_p(2.228138851986274, 10), 0.05, 1e-13);
    EXPECT_NEAR(student_t_two_sided_p(12.706204736174707, 1), 0.05, 1e-13);
}

TEST(student_t, matches_mpmath_for_fractional_degrees_of_freedom) {
    // I_{df/(df+t²)}(df/2, 1/2) with mpmath at 40 digits.
    EXPECT_NEAR(student_t_two_sided_p(1.7, 7.5), 0.13006609835733708, 1e-13);
    EXPECT_NEAR(student_t_two_sided_p(-3.1, 4.2), 0.033918642207452371, 1e-13);
    EXPECT_NEAR(student_t_two_sided_p(8, 30), 6.2658224757007589e-9, 1e-20);
    EXPECT_NEAR(student_t_two_sided_p(0.5, 1000), 0.61718508083387481, 1e-12);
}

TEST(student_t, p_is_one_at_zero_and_zero_at_infinity) {
    EXPECT_DOUBLE_EQ(student_t_two_sided_p(0, 3), 1);
    EXPECT_EQ(student_t_two_sided_p(std::numeric_limits<double>::infinity(), 3), 0);
    EXPECT_EQ(student_t_cdf(-std::numeric_limits<double>::infinity(), 3), 0);
}

TEST(student_t, refuses_non_positive_degrees_of_freedom) {
    EXPECT_THROW((void)student_t_two_sided_p(1, 0), std::domain_error);
    EXPECT_THROW((void)student_t_cdf(std::nan(""), 3), std::domain_error);
}

}  // namespace
}  // namespace chimera::core
