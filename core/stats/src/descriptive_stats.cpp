#include "chimera/core/stats/descriptive_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace chimera::core {
namespace {

void require_values(std::span<const double> values) {
    if (values.empty()) throw std::invalid_argument("statistics of an empty sample");
}

[[nodiscard]] std::vector<double> sorted_copy(std::span<const double> values) {
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

/// Type 7: h = (n − 1)p, then interpolate between the order statistics around h.
[[nodiscard]] double quantile_of_sorted(const std::vector<double>& sorted, double p) {
    const double h = static_cast<double>(sorted.size() - 1) * p;
    const auto lower = static_cast<std::size_t>(std::floor(h));
    if (lower + 1 >= sorted.size()) return sorted.back();
    return sorted[lower] + (h - static_cast<double>(lower)) * (sorted[lower + 1] - sorted[lower]);
}

[[nodiscard]] std::optional<double> cv_of(std::optional<double> stddev, double mean_value) {
    if (!stddev || mean_value == 0) return std::nullopt;
    return *stddev / mean_value * 100;
}

}  // namespace

double mean(std::span<const double> values) {
    require_values(values);
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double quantile(std::span<const double> values, double p) {
    require_values(values);
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument("quantile p must be in [0, 1]");
    return quantile_of_sorted(sorted_copy(values), p);
}

std::optional<double> sample_stddev(std::span<const double> values) {
    if (values.size() < 2) return std::nullopt;
    // Two passes (deviations from the mean) rather than Σx² − n·x̄²: tok/s samples are large
    // numbers with tiny spread, exactly where the one-pass formula cancels catastrophically.
    const double m = mean(values);
    const double squares = std::accumulate(values.begin(), values.end(), 0.0,
                                           [m](double sum, double x) { return sum + (x - m) * (x - m); });
    return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

std::optional<double> coefficient_of_variation_percent(std::span<const double> values) {
    if (values.empty()) return std::nullopt;
    return cv_of(sample_stddev(values), mean(values));
}

std::optional<descriptive_stats> describe(std::span<const double> values) {
    if (values.empty()) return std::nullopt;
    const auto sorted = sorted_copy(values);
    descriptive_stats stats;
    stats.count = values.size();
    stats.mean = mean(values);
    stats.median = quantile_of_sorted(sorted, 0.5);
    stats.min = sorted.front();
    stats.max = sorted.back();
    stats.q1 = quantile_of_sorted(sorted, 0.25);
    stats.q3 = quantile_of_sorted(sorted, 0.75);
    stats.stddev = sample_stddev(values);
    stats.cv_percent = cv_of(stats.stddev, stats.mean);
    return stats;
}

}  // namespace chimera::core
