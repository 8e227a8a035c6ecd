#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::service {

/// `--name value` / `--name=value` flags of one subcommand. Unknown flags and
/// missing values are errors (std::invalid_argument) so typos never go unnoticed.
/// A flag given twice keeps both values: get() answers the last, get_all() every one.
class cli_flags {
public:
    cli_flags(std::span<char* const> args,
              const std::set<std::string, std::less<>>& known,
              const std::set<std::string, std::less<>>& switches = {});

    [[nodiscard]] bool has(std::string_view name) const;
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const;
    [[nodiscard]] std::string get_or(std::string_view name, std::string fallback) const;
    [[nodiscard]] std::size_t get_count(std::string_view name,
                                        std::size_t fallback,
                                        std::size_t min,
                                        std::size_t max) const;

private:
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

}  // namespace chimera::service
