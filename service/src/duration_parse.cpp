#include "duration_parse.hpp"

#include <charconv>

namespace chimera::service {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr == text.data()) {
        return std::nullopt;
    }
    const std::string_view unit{ptr, static_cast<std::size_t>(end - ptr)};
    using std::chrono::milliseconds;
    if (unit == "ms") {
        return milliseconds{value};
    }
    if (unit == "s" || unit.empty()) {
        return milliseconds{value * 1000};
    }
    if (unit == "m") {
        return milliseconds{value * 60'000};
    }
    if (unit == "h") {
        return milliseconds{value * 3'600'000};
    }
    return std::nullopt;
}

}  // namespace chimera::service
