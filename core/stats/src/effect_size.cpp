#include "chimera/core/stats/effect_size.hpp"

#include <cmath>

#include "chimera/core/stats/descriptive_stats.hpp"

namespace chimera::core {
namespace {

/// (n − 1)·s², the sum of squared deviations; 0 for a single value.
[[nodiscard]] double weighted_variance(std::span<const double> values) {
    const double sd = sample_stddev(values).value_or(0);
    return static_cast<double>(values.size() - 1) * sd * sd;
}

}  // namespace

std::optional<double> cohens_d(std::span<const double> a, std::span<const double> b) {
    if (a.empty() || b.empty() || a.size() + b.size() < 3) return std::nullopt;
    const double pooled =
        std::sqrt((weighted_variance(a) + weighted_variance(b)) / static_cast<double>(a.size() + b.size() - 2));
    if (pooled == 0) return std::nullopt;
    return (mean(a) - mean(b)) / pooled;
}

}  // namespace chimera::core
