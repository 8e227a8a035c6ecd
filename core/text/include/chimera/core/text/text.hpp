#pragma once

#include <string>
#include <string_view>

namespace chimera::core::detail {

[[nodiscard]] std::string_view trim(std::string_view text);

/// ASCII case-insensitive substring test; `lower_needle` must already be lower case.
[[nodiscard]] bool contains_nocase(std::string_view haystack, std::string_view lower_needle);

/// Shortest text that reads back as the same double ("77.5", "1e-06", "3").
[[nodiscard]] std::string format_number(double value);

/// Fixed-point with two decimals ("97.88"), the precision of the reference reports' tables.
[[nodiscard]] std::string format_fixed2(double value);

}  // namespace chimera::core::detail
