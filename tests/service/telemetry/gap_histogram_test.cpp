#include "chimera/telemetry/gap_histogram.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

const prometheus::Histogram::BucketBoundaries bounds{0.001, 0.0025, 0.005, 0.01};

/// A batch of equal gaps must leave the histogram as that many Observe calls do:
/// every bucket count, and the sum up to the rounding of repeated additions.
void records_like_observe(double gap, std::size_t count) {
    prometheus::Histogram observed{bounds};
    prometheus::Histogram batched{bounds};
    for (std::size_t i = 0; i < count; ++i) observed.Observe(gap);
    gap_histogram{batched, bounds}.observe(gap, count);
    const auto want = observed.Collect().histogram;
    const auto got = batched.Collect().histogram;
    EXPECT_EQ(got.sample_count, want.sample_count) << gap;
    if (std::isfinite(want.sample_sum)) {
        EXPECT_NEAR(got.sample_sum, want.sample_sum, 1e-12 * want.sample_sum) << gap;
    } else {
        EXPECT_EQ(got.sample_sum, want.sample_sum) << gap;
    }
    ASSERT_EQ(got.bucket.size(), want.bucket.size());
    for (std::size_t i = 0; i < want.bucket.size(); ++i) {
        EXPECT_EQ(got.bucket[i].cumulative_count, want.bucket[i].cumulative_count) << gap << " bucket " << i;
    }
}

TEST(gap_histogram, a_batch_lands_where_observe_puts_each_gap) {
    for (const double gap : {0.0, 0.0004, 0.001, 0.0010001, 0.003, 0.01, 0.5}) {
        for (const std::size_t count : {1U, 2U, 40U}) records_like_observe(gap, count);
    }
    records_like_observe(std::numeric_limits<double>::infinity(), 3);
}

TEST(gap_histogram, an_empty_batch_records_nothing) {
    prometheus::Histogram histogram{bounds};
    gap_histogram{histogram, bounds}.observe(0.002, 0);
    EXPECT_EQ(histogram.Collect().histogram.sample_count, 0U);
}

}  // namespace
}  // namespace chimera::service
