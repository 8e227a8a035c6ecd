#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace chimera::core {

/// An enum's names on the wire, one table per enum, so that printing a value and parsing a
/// name can never disagree. A value missing from its table prints as "unknown".
template <typename Enum, std::size_t N>
using enum_names = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view name_of(const enum_names<Enum, N>& names, Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) return name;
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> value_named(const enum_names<Enum, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

}  // namespace chimera::core
