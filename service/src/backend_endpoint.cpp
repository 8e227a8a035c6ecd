#include "backend_endpoint.hpp"

namespace chimera::service {

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
    backend_endpoint endpoint;
    const auto colon = url.rfind(':');
    if (colon == std::string_view::npos) {
        endpoint.host = std::string{url};
        endpoint.port = "11434";
    } else {
        endpoint.host = std::string{url.substr(0, colon)};
        endpoint.port = std::string{url.substr(colon + 1)};
    }
    if (endpoint.host.empty() || endpoint.host == "0.0.0.0") {
        endpoint.host = "127.0.0.1";
    }
    if (endpoint.port.empty() || endpoint.port.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    return endpoint;
}

}  // namespace chimera::service
