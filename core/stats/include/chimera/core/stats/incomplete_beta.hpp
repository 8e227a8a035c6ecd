#pragma once

namespace chimera::core {

/// I_x(a, b), the regularized incomplete beta function, for a > 0, b > 0 and 0 ≤ x ≤ 1;
/// throws std::domain_error outside that domain. Evaluated with the continued fraction of
/// Numerical Recipes §6.4 (modified Lentz), on the side of x where it converges fast.
[[nodiscard]] double regularized_incomplete_beta(double a, double b, double x);

}  // namespace chimera::core
