#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>

#include "flag_table.hpp"
#include "flag_value_parse.hpp"

namespace chimera::service {

// The usual kinds of flag, each bound to the member of the settings it fills; the member's
// initial value is the default --help shows.

/// A whole number from `min` to `max`, shown as "N".
template <typename Settings, typename Number>
flag<Settings> count_flag(
    std::string name, std::string help, Number Settings::*member, std::uint64_t min, std::uint64_t max) {
    return {std::move(name), "N", std::move(help),
            [member, min, max](Settings& settings, std::string_view flag_name, const flag_values& values) {
                settings.*member = static_cast<Number>(parse_count_value(flag_name, values.back(), min, max));
            },
            [member](const Settings& settings) { return std::to_string(settings.*member); }};
}

/// A duration ("250ms", "30s", "10m"), shown as "D".
template <typename Settings>
flag<Settings> duration_flag(std::string name, std::string help, std::chrono::milliseconds Settings::*member) {
    return {std::move(name), "D", std::move(help),
            [member](Settings& settings, std::string_view flag_name, const flag_values& values) {
                settings.*member = parse_duration_value(flag_name, values.back());
            },
            [member](const Settings& settings) { return shown_duration(settings.*member); }};
}

/// A size ("4096", "64K", "16M") up to `max`, shown as "SIZE".
template <typename Settings, typename Number>
flag<Settings> size_flag(std::string name, std::string help, Number Settings::*member, std::uint64_t max) {
    return {std::move(name), "SIZE", std::move(help),
            [member, max](Settings& settings, std::string_view flag_name, const flag_values& values) {
                settings.*member = static_cast<Number>(parse_byte_value(flag_name, values.back(), max));
            },
            [member](const Settings& settings) { return shown_bytes(settings.*member); }};
}

/// Text taken as given (a name, a path); its default is shown unless empty.
template <typename Settings, typename Text>
flag<Settings> text_flag(std::string name, std::string value_name, std::string help, Text Settings::*member) {
    return {std::move(name), std::move(value_name), std::move(help),
            [member](Settings& settings, std::string_view, const flag_values& values) {
                settings.*member = Text{values.back()};
            },
            [member](const Settings& settings) {
                if constexpr (std::is_same_v<Text, std::filesystem::path>) {
                    return (settings.*member).string();
                } else {
                    return std::string{settings.*member};
                }
            }};
}

}  // namespace chimera::service
