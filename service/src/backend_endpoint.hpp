#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chimera::service {

/// Where the Ollama backend listens. Only plain http:// is supported; TLS
/// terminates in front of Ollama in every deployment we know of.
struct backend_endpoint {
    std::string host;
    std::string port;

    /// "host:port", as sent in the Host header.
    [[nodiscard]] std::string authority() const { return host + ":" + port; }
};

/// Accepts "http://host:port", "host:port", "host" and OLLAMA_HOST forms such as "0.0.0.0"
/// (Ollama's listen-all address, which clients reach on loopback).
[[nodiscard]] std::optional<backend_endpoint> parse_backend_url(std::string_view url);

}  // namespace chimera::service
