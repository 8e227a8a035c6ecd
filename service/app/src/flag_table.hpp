#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chimera::service {

/// The values one flag was given, in order: a repeatable flag keeps them all, others use the last.
using flag_values = std::vector<std::string>;

/// One flag of a command, said once: its name, what --help says of it, how its values go into
/// the command's settings, and the default --help shows, read from default settings.
template <typename Settings>
struct flag {
    std::string name;        ///< without the leading "--"
    std::string value_name;  ///< as --help shows the value: "N", "D", "SIZE", "DIR"
    std::string help;        ///< one line; a "\n" continues it on an indented line
    /// Parses and stores; std::invalid_argument with a message naming the flag.
    std::function<void(Settings&, std::string_view name, const flag_values&)> set;
    /// The default as --help shows it; empty function: --help shows none.
    std::function<std::string(const Settings&)> shown_default;
    /// An environment variable read as the flag's value when the flag is not given; empty: none.
    std::string environment = {};
};

/// The flags of one command: its parser, its --help and its defaults.
template <typename Settings>
using flag_table = std::vector<flag<Settings>>;

/// The flags of a part of a command's settings (the backend's, the log's), as flags of the whole.
template <typename Whole, typename Part>
flag_table<Whole> flags_of_member(Part Whole::*member, const flag_table<Part>& part) {
    flag_table<Whole> whole;
    for (const auto& f : part) {
        flag<Whole> lifted{f.name, f.value_name, f.help, nullptr, nullptr, f.environment};
        lifted.set = [member, set = f.set](Whole& settings, std::string_view name, const flag_values& values) {
            set(settings.*member, name, values);
        };
        if (f.shown_default) {
            lifted.shown_default = [member, shown = f.shown_default](const Whole& settings) {
                return shown(settings.*member);
            };
        }
        whole.push_back(std::move(lifted));
    }
    return whole;
}

template <typename Settings>
flag_table<Settings> joined(std::initializer_list<flag_table<Settings>> tables) {
    flag_table<Settings> all;
    for (const auto& table : tables) {
        all.insert(all.end(), table.begin(), table.end());
    }
    return all;
}

/// Splits `args` into flag values: unknown flags, stray arguments and missing values are errors
/// (std::invalid_argument), so a typo never goes unnoticed.
[[nodiscard]] std::vector<std::pair<std::string, flag_values>> split_flags(std::span<char* const> args,
                                                                           const std::vector<std::string>& known);

/// The value of an environment variable, as a flag's values; none when it is not set.
[[nodiscard]] flag_values environment_values(const std::string& variable);

/// "  --name VALUE   help (default X, or $VARIABLE)", aligned, continuation lines indented alike.
[[nodiscard]] std::string flag_usage_line(std::string_view name,
                                          std::string_view value_name,
                                          std::string_view help,
                                          const std::string& shown_default,
                                          std::string_view environment);

/// `args` applied to `settings`, flag by flag in table order; a flag not given takes its
/// environment variable, when it has one and it is set.
template <typename Settings>
void apply_flags(const flag_table<Settings>& table, std::span<char* const> args, Settings& settings) {
    std::vector<std::string> names;
    for (const auto& f : table) {
        names.push_back(f.name);
    }
    const auto given = split_flags(args, names);
    for (const auto& f : table) {
        const auto it = std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == f.name; });
        const auto values = it != given.end() ? it->second : environment_values(f.environment);
        if (!values.empty()) {
            f.set(settings, f.name, values);
        }
    }
}

/// What --help lists: a line for each flag, with its default taken from `defaults`.
template <typename Settings>
std::string flag_usage(const flag_table<Settings>& table, const Settings& defaults) {
    std::string usage;
    for (const auto& f : table) {
        usage += flag_usage_line(f.name, f.value_name, f.help, f.shown_default ? f.shown_default(defaults) : "",
                                 f.environment);
    }
    return usage;
}

}  // namespace chimera::service
