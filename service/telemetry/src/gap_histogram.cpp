#include "chimera/telemetry/gap_histogram.hpp"

#include <algorithm>
#include <iterator>

namespace chimera::service {

gap_histogram::gap_histogram(prometheus::Histogram& histogram, const prometheus::Histogram::BucketBoundaries& bounds)
    : histogram_(&histogram), bounds_(&bounds), increments_(bounds.size() + 1, 0.0) {}

void gap_histogram::observe(double gap_seconds, std::size_t count) {
    if (count == 0) return;
    if (count == 1) {
        histogram_->Observe(gap_seconds);
        return;
    }
    // The bucket Observe picks, the same way: the first whose upper bound is at least the value, else +Inf.
    const auto bucket = static_cast<std::size_t>(std::distance(
        bounds_->begin(),
        std::find_if(bounds_->begin(), bounds_->end(), [gap_seconds](double bound) { return bound >= gap_seconds; })));
    const auto n = static_cast<double>(count);
    increments_[bucket] = n;
    histogram_->ObserveMultiple(increments_, gap_seconds * n);
    increments_[bucket] = 0.0;
}

}  // namespace chimera::service
