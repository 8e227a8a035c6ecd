#include "chimera/core/stats/welch_t_test.hpp"

#include <cmath>

#include "chimera/core/stats/descriptive_stats.hpp"
#include "chimera/core/stats/student_t.hpp"

namespace chimera::core {

std::optional<welch_result> welch_t_test(std::span<const double> a, std::span<const double> b) {
    const auto sd_a = sample_stddev(a);
    const auto sd_b = sample_stddev(b);
    if (!sd_a || !sd_b) return std::nullopt;
    const double n_a = static_cast<double>(a.size());
    const double n_b = static_cast<double>(b.size());
    const double var_mean_a = *sd_a * *sd_a / n_a;  // squared standard error of each mean
    const double var_mean_b = *sd_b * *sd_b / n_b;
    const double standard_error_sq = var_mean_a + var_mean_b;
    if (standard_error_sq == 0) return std::nullopt;
    welch_result result;
    result.t = (mean(a) - mean(b)) / std::sqrt(standard_error_sq);
    result.degrees_of_freedom = standard_error_sq * standard_error_sq /
                                (var_mean_a * var_mean_a / (n_a - 1) + var_mean_b * var_mean_b / (n_b - 1));
    result.p_two_sided = student_t_two_sided_p(result.t, result.degrees_of_freedom);
    return result;
}

}  // namespace chimera::core
