#pragma once

namespace chimera::core {

/// P(T ≤ t) for Student's t distribution with `df` > 0 degrees of freedom (df need not be an
/// integer: Welch's test produces fractional ones). Throws std::domain_error for df ≤ 0 or NaN.
[[nodiscard]] double student_t_cdf(double t, double df);

/// P(|T| ≥ |t|), the two-sided p-value of a t statistic: I_{df/(df+t²)}(df/2, 1/2).
[[nodiscard]] double student_t_two_sided_p(double t, double df);

}  // namespace chimera::core
