#include "cli_flags.hpp"

#include <charconv>
#include <stdexcept>

namespace chimera::service {

cli_flags::cli_flags(std::span<char* const> args,
                     const std::set<std::string, std::less<>>& known,
                     const std::set<std::string, std::less<>>& switches) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg{args[i]};
        if (!arg.starts_with("--")) {
            throw std::invalid_argument("unexpected argument '" + std::string{arg} + "'");
        }
        arg.remove_prefix(2);
        std::string name{arg.substr(0, arg.find('='))};
        if (!known.contains(name) && !switches.contains(name)) {
            throw std::invalid_argument("unknown flag --" + name);
        }
        if (switches.contains(name)) {
            values_[name].emplace_back("true");
        } else if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            values_[name].emplace_back(arg.substr(eq + 1));
        } else if (i + 1 < args.size()) {
            values_[name].emplace_back(args[++i]);
        } else {
            throw std::invalid_argument("flag --" + name + " needs a value");
        }
    }
}

bool cli_flags::has(std::string_view name) const { return values_.contains(name); }

std::optional<std::string> cli_flags::get(std::string_view name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::nullopt : std::optional{it->second.back()};
}

std::vector<std::string> cli_flags::get_all(std::string_view name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string cli_flags::get_or(std::string_view name, std::string fallback) const {
    return get(name).value_or(std::move(fallback));
}

std::size_t cli_flags::get_count(std::string_view name, std::size_t fallback, std::size_t min, std::size_t max) const {
    const auto text = get(name);
    if (!text) {
        return fallback;
    }
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || ptr != text->data() + text->size() || value < min || value > max) {
        throw std::invalid_argument("--" + std::string{name} + " must be a whole number from " + std::to_string(min) +
                                    " to " + std::to_string(max) + ", not '" + *text + "'");
    }
    return value;
}

}  // namespace chimera::service
