#include "chimera/core/stats/descriptive_stats.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

// Expected values from Python's statistics module (mean, median, stdev,
// quantiles(n=4, method="inclusive"), which is Hyndman–Fan type 7).

TEST(descriptive_stats, matches_python_statistics_on_an_even_sample) {
    const std::vector<double> values{2, 4, 4, 4, 5, 5, 7, 9};
    const auto stats = describe(values);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->count, 8u);
    EXPECT_DOUBLE_EQ(stats->mean, 5);
    EXPECT_DOUBLE_EQ(stats->median, 4.5);
    EXPECT_DOUBLE_EQ(stats->min, 2);
    EXPECT_DOUBLE_EQ(stats->max, 9);
    EXPECT_DOUBLE_EQ(stats->q1, 4.0);
    EXPECT_DOUBLE_EQ(stats->q3, 5.5);
    ASSERT_TRUE(stats->stddev);
    EXPECT_NEAR(*stats->stddev, 2.138089935299395, 1e-14);
    ASSERT_TRUE(stats->cv_percent);
    EXPECT_NEAR(*stats->cv_percent, 42.7617987059879, 1e-12);
}

TEST(descriptive_stats, matches_python_statistics_on_an_unsorted_odd_sample) {
    const std::vector<double> values{3.5, 1.25, 9.0, 7.75, 2.0};
    const auto stats = describe(values);
    ASSERT_TRUE(stats);
    EXPECT_DOUBLE_EQ(stats->mean, 4.7);
    EXPECT_DOUBLE_EQ(stats->median, 3.5);
    EXPECT_DOUBLE_EQ(stats->q1, 2.0);
    EXPECT_DOUBLE_EQ(stats->q3, 7.75);
    EXPECT_NEAR(*stats->stddev, 3.4794036845413614, 1e-14);
    // Between order statistics: h = 0.4 → 1.25 + 0.4 × (2.0 − 1.25).
    EXPECT_DOUBLE_EQ(quantile(values, 0.1), 1.55);
    EXPECT_DOUBLE_EQ(quantile(values, 0), 1.25);
    EXPECT_DOUBLE_EQ(quantile(values, 1), 9.0);
}

TEST(descriptive_stats, a_single_value_has_no_spread) {
    const std::vector<double> values{97.87786461145134};
    const auto stats = describe(values);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->mean, values[0]);
    EXPECT_EQ(stats->q1, values[0]);
    EXPECT_EQ(stats->q3, values[0]);
    EXPECT_FALSE(stats->stddev);
    EXPECT_FALSE(stats->cv_percent);
    EXPECT_FALSE(sample_stddev(values));
}

TEST(descriptive_stats, an_empty_sample_has_no_statistics) {
    const std::vector<double> none;
    EXPECT_FALSE(describe(none));
    EXPECT_FALSE(sample_stddev(none));
    EXPECT_FALSE(coefficient_of_variation_percent(none));
    EXPECT_THROW((void)mean(none), std::invalid_argument);
    EXPECT_THROW((void)quantile(none, 0.5), std::invalid_argument);
}

TEST(descriptive_stats, quantile_refuses_p_outside_zero_to_one) {
    const std::vector<double> values{1, 2};
    EXPECT_THROW((void)quantile(values, -0.1), std::invalid_argument);
    EXPECT_THROW((void)quantile(values, 1.5), std::invalid_argument);
}

TEST(descriptive_stats, cv_is_absent_for_a_zero_mean) {
    const std::vector<double> values{-1, 1};
    EXPECT_FALSE(coefficient_of_variation_percent(values));
    ASSERT_TRUE(sample_stddev(values));
    EXPECT_DOUBLE_EQ(*sample_stddev(values), std::sqrt(2.0));
}

TEST(descriptive_stats, stddev_survives_large_values_with_a_tiny_spread) {
    // Σx² − n·x̄² would lose every significant digit here.
    const std::vector<double> values{1e9 + 1, 1e9 + 2, 1e9 + 3};
    EXPECT_DOUBLE_EQ(*sample_stddev(values), 1.0);
    EXPECT_NEAR(*coefficient_of_variation_percent(values), 100 / (1e9 + 2), 1e-20);
}

}  // namespace
}  // namespace chimera::core
