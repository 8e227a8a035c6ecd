#pragma once

#include <cstddef>
#include <vector>

#include <prometheus/histogram.h>

namespace chimera::service {

/// The inter-token histogram of one call. A read of a fast stream delivers tens of tokens
/// that share one gap (token_batch); observing them one by one took the histogram's lock
/// and searched its buckets once per token, a twentieth of the client's CPU per token.
/// Equal gaps all fall in one bucket, so one update records them all.
class gap_histogram {
public:
    /// `bounds` must be those `histogram` was made with, and outlive this.
    gap_histogram(prometheus::Histogram& histogram, const prometheus::Histogram::BucketBoundaries& bounds);

    /// Records `count` gaps of `gap_seconds` each, as `count` calls of Observe would.
    void observe(double gap_seconds, std::size_t count);

private:
    prometheus::Histogram* histogram_;
    const prometheus::Histogram::BucketBoundaries* bounds_;
    std::vector<double> increments_;  ///< all zero between calls
};

}  // namespace chimera::service
