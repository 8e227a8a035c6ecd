#include "chimera/backend/backend_endpoint.hpp"

namespace chimera::service {

std::optional<std::pair<std::string, std::string>> split_host_port(std::string_view authority) {
    if (authority.starts_with('[')) {  // IPv6 literal: [::1] or [::1]:11434
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) {
            return std::nullopt;
        }
        return std::pair{std::string{authority.substr(1, close - 1)},
                         std::string{rest.empty() ? rest : rest.substr(1)}};
    }
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        return std::pair{std::string{authority}, std::string{}};
    }
    if (authority.find(':') != colon) {
        return std::nullopt;  // a bare IPv6 address is ambiguous without brackets
    }
    return std::pair{std::string{authority.substr(0, colon)}, std::string{authority.substr(colon + 1)}};
}

bool valid_port(std::string_view port) {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
        return false;
    }
    const auto value = std::stoul(std::string{port});
    return value >= 1 && value <= 65535;
}

std::optional<backend_endpoint> parse_backend_url(std::string_view url) {
    constexpr std::string_view http_scheme = "http://";
    if (url.starts_with(http_scheme)) {
        url.remove_prefix(http_scheme.size());
    } else if (url.find("://") != std::string_view::npos) {
        return std::nullopt;
    }
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        url = url.substr(0, slash);
    }
    if (url.empty()) {
        return std::nullopt;
    }
    auto split = split_host_port(url);
    if (!split || url.ends_with(':')) {
        return std::nullopt;
    }
    backend_endpoint endpoint{std::move(split->first), split->second.empty() ? "11434" : std::move(split->second)};
    if (endpoint.host.empty() || endpoint.host == "0.0.0.0") {
        endpoint.host = "127.0.0.1";
    } else if (endpoint.host == "::") {
        endpoint.host = "::1";
    }
    if (!valid_port(endpoint.port)) {
        return std::nullopt;
    }
    return endpoint;
}

}  // namespace chimera::service
