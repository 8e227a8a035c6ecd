#include "backend_flag.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>

#include "chimera/backend/backend_endpoint.hpp"
#include "chimera/core/text/text.hpp"
#include "flag_value_parse.hpp"

namespace chimera::service {
namespace {

constexpr std::size_t max_name_chars = 64;

std::invalid_argument flag_error(std::string_view value, const std::string& why) {
    return std::invalid_argument(
        "--backend '" + std::string{value} + "': " + why +
        " (NAME=URL[,kind=ollama|openai][,api=chat|completions][,max-streams=N][,auth-file=FILE])");
}

/// Names become metric labels and appear in URLs' JSON: letters, digits, '.', '_' and '-'.
bool valid_name(std::string_view name) {
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    };
    return !name.empty() && name.size() <= max_name_chars && std::all_of(name.begin(), name.end(), allowed);
}

std::string bearer_from_file(std::string_view value, const std::string& path) {
    std::ifstream file{path};
    std::string token;
    if (!file || !std::getline(file, token)) throw flag_error(value, "cannot read auth-file " + path);
    token = std::string{core::detail::trim(token)};
    if (token.empty()) throw flag_error(value, "auth-file " + path + " has no token on its first line");
    return "Bearer " + token;
}

void apply_option(backend_settings& backend, std::string_view value, std::string_view option) {
    const auto equals = option.find('=');
    if (equals == std::string_view::npos) throw flag_error(value, "'" + std::string{option} + "' is not KEY=VALUE");
    const auto key = option.substr(0, equals);
    const auto setting = std::string{option.substr(equals + 1)};
    if (key == "kind") {
        const auto kind = core::parse_backend_kind(setting);
        if (!kind) throw flag_error(value, "kind must be ollama or openai, not '" + setting + "'");
        backend.kind = *kind;
    } else if (key == "api") {
        const auto api = core::parse_openai_api(setting);
        if (!api) throw flag_error(value, "api must be chat or completions, not '" + setting + "'");
        backend.openai_api = *api;
    } else if (key == "max-streams") {
        backend.max_streams = static_cast<std::size_t>(parse_count_value("backend max-streams", setting, 1, 100'000));
    } else if (key == "auth-file") {
        backend.authorization = bearer_from_file(value, setting);
    } else {
        throw flag_error(value, "unknown setting '" + std::string{key} + "'");
    }
}

}  // namespace

backend_settings parse_backend_flag(std::string_view value) {
    const auto equals = value.find('=');
    if (equals == std::string_view::npos) throw flag_error(value, "needs NAME=URL");
    backend_settings backend;
    backend.name = std::string{value.substr(0, equals)};
    if (!valid_name(backend.name)) {
        throw flag_error(value, "the name must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    auto rest = value.substr(equals + 1);
    const auto comma = rest.find(',');
    const auto url = rest.substr(0, comma);
    const auto endpoint = parse_backend_url(url);
    if (!endpoint) throw flag_error(value, "the URL must look like http://host:port, not '" + std::string{url} + "'");
    backend.endpoint = *endpoint;
    auto options = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!options.empty()) {
        const auto next = options.find(',');
        apply_option(backend, value, options.substr(0, next));
        options = next == std::string_view::npos ? std::string_view{} : options.substr(next + 1);
    }
    if (backend.kind == core::backend_kind::ollama && backend.openai_api != core::openai_api::chat) {
        throw flag_error(value, "api= is for kind=openai: Ollama is called on /api/generate");
    }
    return backend;
}

std::vector<backend_settings> fleet_settings(const backend_settings& common,
                                             const std::vector<backend_settings>& named) {
    if (named.empty()) return {common};
    std::vector<backend_settings> fleet;
    for (const auto& backend : named) {
        auto settings = common;
        settings.name = backend.name;
        settings.kind = backend.kind;
        settings.openai_api = backend.openai_api;
        settings.endpoint = backend.endpoint;
        settings.max_streams = backend.max_streams;
        settings.authorization = backend.authorization;
        fleet.push_back(std::move(settings));
    }
    return fleet;
}

}  // namespace chimera::service
