#pragma once

#include <optional>
#include <string>

#include "chimera/core/stats/descriptive_stats.hpp"

namespace chimera::core::detail {

/// Fixed-point with `decimals` digits ("98.76").
[[nodiscard]] std::string format_fixed(double value, int decimals);

/// A percentage change with its sign ("+0.38%", "-0.45%").
[[nodiscard]] std::string format_signed_pct(double value);

/// A p-value as tables print it: three decimals, "< 0.001" below that.
[[nodiscard]] std::string format_p(double p);

/// "98.76 ± 0.43", or just the mean when there is no stddev.
[[nodiscard]] std::string format_mean_sd(const descriptive_stats& stats);

/// `text` or "—" when absent: the tables' mark for "not computable".
[[nodiscard]] std::string or_dash(const std::optional<std::string>& text);

}  // namespace chimera::core::detail
