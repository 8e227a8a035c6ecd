#pragma once

#include <string>
#include <vector>

#include "chimera/http/http_server_limits.hpp"
#include "chimera/http/router.hpp"
#include "chimera/http/trusted_proxies.hpp"

namespace chimera::service {

class bearer_tokens;
class http_connection;
class service_metrics;

/// Who may use which route: with `tokens`, every route but the `public_routes` (patterns
/// as registered, e.g. "/healthz") answers 401 to a request without one of the tokens.
struct http_access_policy {
    const bearer_tokens* tokens = nullptr;  ///< none: every route is open
    std::vector<std::string> public_routes;
};

/// What a session needs from its server; it outlives every session.
struct http_session_context {
    const router& routes;
    service_metrics& metrics;
    http_server_limits limits;
    http_access_policy access;
    trusted_proxies proxies;  ///< whose X-Forwarded-For names the client in the access log
};

/// Serves one connection: read → authorise → route → write, keep-alive and pipelining,
/// per-phase timeouts and size limits; a stream route takes the connection over. Returns
/// when the client is done, a limit or an I/O error ends the connection, or after a stream.
awaitable<void> serve_http_session(http_connection& connection, const http_session_context& context);

}  // namespace chimera::service
