#pragma once

#include <optional>
#include <span>

namespace chimera::core {

struct welch_result {
    double t = 0;                   ///< (mean(a) − mean(b)) / √(s_a²/n_a + s_b²/n_b)
    double degrees_of_freedom = 0;  ///< Welch–Satterthwaite
    double p_two_sided = 1;
};

/// Welch's unequal-variance t-test of mean(a) against mean(b). The sweeps compare a few runs
/// per configuration whose spreads differ (a cold baseline vs. a warm config), so the
/// equal-variance Student test would be wrong. Absent when a sample has fewer than two values
/// or both have zero variance, where the statistic is undefined.
[[nodiscard]] std::optional<welch_result> welch_t_test(std::span<const double> a, std::span<const double> b);

}  // namespace chimera::core
