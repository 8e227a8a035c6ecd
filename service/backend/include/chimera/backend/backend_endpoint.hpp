#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chimera::service {

/// Where the Ollama backend listens. Only plain http:// is supported; TLS
/// terminates in front of Ollama in every deployment we know of.
struct backend_endpoint {
    std::string host;
    std::string port;

    /// "host:port", as sent in the Host header.
    [[nodiscard]] std::string authority() const { return host + ":" + port; }
};

/// "host:port", "host", "[v6]:port" or "[v6]" → host (brackets removed) and port ("" when
/// absent); nullopt when malformed. Shared by --ollama-url and --listen.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> split_host_port(std::string_view authority);

/// A decimal TCP port from 1 to 65535.
[[nodiscard]] bool valid_port(std::string_view port);

/// Accepts "http://host:port", "host:port", "host" and OLLAMA_HOST forms such as "0.0.0.0"
/// (Ollama's listen-all address, which clients reach on loopback).
[[nodiscard]] std::optional<backend_endpoint> parse_backend_url(std::string_view url);

}  // namespace chimera::service
