#include "flag_table.hpp"

#include <cstdlib>
#include <stdexcept>

namespace chimera::service {
namespace {

constexpr std::size_t help_column = 28;  // where help text starts, past "  --name VALUE"

}  // namespace

std::vector<std::pair<std::string, flag_values>> split_flags(std::span<char* const> args,
                                                             const std::vector<std::string>& known) {
    std::vector<std::pair<std::string, flag_values>> given;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg{args[i]};
        if (!arg.starts_with("--")) {
            throw std::invalid_argument("unexpected argument '" + std::string{arg} + "'");
        }
        arg.remove_prefix(2);
        const auto eq = arg.find('=');
        std::string name{arg.substr(0, eq)};
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            throw std::invalid_argument("unknown flag --" + name);
        }
        std::string value;
        if (eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            throw std::invalid_argument("flag --" + name + " needs a value");
        }
        auto it = std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == name; });
        if (it == given.end()) {
            it = given.insert(given.end(), {name, {}});
        }
        it->second.push_back(std::move(value));
    }
    return given;
}

flag_values environment_values(const std::string& variable) {
    if (variable.empty()) {
        return {};
    }
    const char* value = std::getenv(variable.c_str());  // NOLINT(concurrency-mt-unsafe): read before threads start
    return value == nullptr ? flag_values{} : flag_values{value};
}

std::string flag_usage_line(std::string_view name,
                            std::string_view value_name,
                            std::string_view help,
                            const std::string& shown_default,
                            std::string_view environment) {
    std::string line = "  --";
    line.append(name).append(" ").append(value_name);
    line.append(line.size() < help_column ? help_column - line.size() : 1, ' ');
    for (const char c : help) {
        line += c;
        if (c == '\n') {
            line.append(help_column, ' ');
        }
    }
    if (!shown_default.empty() || !environment.empty()) {
        line.append(" (default ").append(shown_default.empty() ? "none" : shown_default);
        if (!environment.empty()) {
            line.append(", or $").append(environment);
        }
        line.append(")");
    }
    line += '\n';
    return line;
}

}  // namespace chimera::service
