#include "chimera/core/stats/student_t.hpp"

#include <cmath>
#include <stdexcept>

#include "chimera/core/stats/incomplete_beta.hpp"

namespace chimera::core {

double student_t_two_sided_p(double t, double df) {
    if (!(df > 0) || std::isnan(t)) throw std::domain_error("student t needs df > 0 and a t that is a number");
    if (std::isinf(t)) return 0;
    return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double student_t_cdf(double t, double df) {
    const double tail = student_t_two_sided_p(t, df) / 2;
    return t >= 0 ? 1 - tail : tail;
}

}  // namespace chimera::core
