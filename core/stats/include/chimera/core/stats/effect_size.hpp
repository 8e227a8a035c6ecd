#pragma once

#include <optional>
#include <span>

namespace chimera::core {

/// Cohen's d of a against b: (mean(a) − mean(b)) / s_pooled, with
/// s_pooled = √(((n_a − 1)·s_a² + (n_b − 1)·s_b²) / (n_a + n_b − 2)) from the sample variances.
/// Absent when either sample is empty, n_a + n_b < 3, or s_pooled is 0.
[[nodiscard]] std::optional<double> cohens_d(std::span<const double> a, std::span<const double> b);

}  // namespace chimera::core
