#include "chimera/core/stats/stat_format.hpp"

#include <array>
#include <charconv>

#include "chimera/core/text/text.hpp"

namespace chimera::core::detail {

std::string format_fixed(double value, int decimals) {
    std::array<char, 64> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) return format_number(value);  // beyond 1e60: not a real metric
    std::string text{buffer.data(), result.ptr};
    // "-0.00" reads as a regression that is not there.
    if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);
    return text;
}

std::string format_signed_pct(double value) {
    const auto text = format_fixed(value, 2);
    return (text.front() == '-' ? text : "+" + text) + "%";
}

std::string format_p(double p) { return p < 0.001 ? "< 0.001" : format_fixed(p, 3); }

std::string format_mean_sd(const descriptive_stats& stats) {
    auto text = format_fixed(stats.mean, 2);
    if (stats.stddev) text += " ± " + format_fixed(*stats.stddev, 2);
    return text;
}

std::string or_dash(const std::optional<std::string>& text) { return text.value_or("—"); }

}  // namespace chimera::core::detail
