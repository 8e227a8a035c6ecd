#include "duration_parse.hpp"

#include <charconv>
#include <cstdint>

namespace chimera::service {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr == text.data()) {
        return std::nullopt;
    }
    const std::string_view unit{ptr, static_cast<std::size_t>(end - ptr)};
    std::uint64_t unit_ms = 0;
    if (unit == "ms") {
        unit_ms = 1;
    } else if (unit == "s" || unit.empty()) {
        unit_ms = 1000;
    } else if (unit == "m") {
        unit_ms = 60'000;
    } else if (unit == "h") {
        unit_ms = 3'600'000;
    } else {
        return std::nullopt;
    }
    // A year is far beyond any timeout we take; refusing more keeps the product from overflowing.
    constexpr std::uint64_t max_ms = 365ULL * 24 * 3'600'000;
    if (value > max_ms / unit_ms) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{static_cast<std::int64_t>(value * unit_ms)};
}

}  // namespace chimera::service
