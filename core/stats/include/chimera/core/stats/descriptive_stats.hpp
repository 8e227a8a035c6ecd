#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace chimera::core {

/// One sample summarised the way the seed report's tables do.
///
/// Quartiles (and the median) interpolate linearly between order statistics: Hyndman & Fan
/// type 7, the default of numpy, pandas and R and Excel's QUARTILE.INC, so figures computed
/// by the reference agents' Python tooling come out the same here.
struct descriptive_stats {
    std::size_t count = 0;
    double mean = 0;
    double median = 0;
    double min = 0;
    double max = 0;
    double q1 = 0;
    double q3 = 0;
    std::optional<double> stddev;      ///< sample (n − 1 denominator); absent below two values
    std::optional<double> cv_percent;  ///< stddev / mean × 100; absent without stddev or with a zero mean
};

/// Arithmetic mean; throws std::invalid_argument on an empty sample.
[[nodiscard]] double mean(std::span<const double> values);

/// Type-7 quantile for p in [0, 1]; throws std::invalid_argument on an empty sample or p outside.
[[nodiscard]] double quantile(std::span<const double> values, double p);

/// Sample standard deviation (n − 1); absent below two values.
[[nodiscard]] std::optional<double> sample_stddev(std::span<const double> values);

/// Sample stddev / mean × 100; absent below two values or when the mean is 0.
[[nodiscard]] std::optional<double> coefficient_of_variation_percent(std::span<const double> values);

/// All of the above at once; absent for an empty sample.
[[nodiscard]] std::optional<descriptive_stats> describe(std::span<const double> values);

}  // namespace chimera::core
