#include "chimera/core/text/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace chimera::core::detail {
namespace {

[[nodiscard]] bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

[[nodiscard]] char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool contains_nocase(std::string_view haystack, std::string_view lower_needle) {
    const auto it = std::search(haystack.begin(), haystack.end(), lower_needle.begin(), lower_needle.end(),
                                [](char h, char n) { return to_lower_ascii(h) == n; });
    return it != haystack.end() || lower_needle.empty();
}

std::string format_number(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return {buffer.data(), result.ptr};
}

std::string format_fixed2(double value) {
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, 2);
    if (result.ec != std::errc{}) return format_number(value);  // beyond 1e60: not a real metric
    return {buffer.data(), result.ptr};
}

}  // namespace chimera::core::detail
