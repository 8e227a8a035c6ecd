#include "flag_value_parse.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <stdexcept>

#include "chimera/backend/backend_endpoint.hpp"
#include "duration_parse.hpp"

namespace chimera::service {
namespace {

std::string flag_text(std::string_view flag) { return "--" + std::string{flag}; }

std::optional<std::uint64_t> parse_byte_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
    if (unit.ends_with("iB")) unit.remove_suffix(2);
    const std::string_view units = "KMG";
    if (unit.empty()) return value;
    const auto power = units.find(unit);
    if (unit.size() != 1 || power == std::string_view::npos) return std::nullopt;
    const unsigned shift = 10 * static_cast<unsigned>(power + 1);
    if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
    return value << shift;
}

}  // namespace

std::uint64_t parse_count_value(std::string_view flag, const std::string& text, std::uint64_t min, std::uint64_t max) {
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(flag_text(flag) + " must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", not '" + text + "'");
    }
    return value;
}

std::chrono::milliseconds parse_duration_value(std::string_view flag, const std::string& text) {
    const auto parsed = parse_duration(text);
    if (!parsed || parsed->count() == 0) {
        throw std::invalid_argument(flag_text(flag) + " must be a duration such as 250ms, 30s or 10m, not '" + text +
                                    "'");
    }
    return *parsed;
}

std::uint64_t parse_byte_value(std::string_view flag, const std::string& text, std::uint64_t max) {
    const auto bytes = parse_byte_count(text);
    if (!bytes || *bytes == 0 || *bytes > max) {
        throw std::invalid_argument(flag_text(flag) + " must be a size from 1 byte to " + std::to_string(max >> 20) +
                                    "M, such as 4096, 64K or 16M, not '" + text + "'");
    }
    return *bytes;
}

std::pair<std::string, std::uint16_t> parse_listen_value(std::string_view flag, const std::string& text) {
    const auto split = split_host_port(text);
    if (!split || split->first.empty() || (split->second != "0" && !valid_port(split->second))) {
        throw std::invalid_argument(flag_text(flag) + " must be HOST:PORT (or [IPv6]:PORT), not '" + text + "'");
    }
    return {split->first, static_cast<std::uint16_t>(std::stoul(split->second))};
}

std::string shown_duration(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string shown_bytes(std::uint64_t bytes) {
    constexpr std::array<std::pair<unsigned, char>, 3> units{{{30, 'G'}, {20, 'M'}, {10, 'K'}}};
    for (const auto& [shift, unit] : units) {
        const std::uint64_t size = std::uint64_t{1} << shift;
        if (bytes >= size && bytes % size == 0) return std::to_string(bytes >> shift) + unit;
    }
    return std::to_string(bytes);
}

}  // namespace chimera::service
