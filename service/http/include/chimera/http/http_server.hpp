#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "chimera/http/http_server_limits.hpp"
#include "chimera/http/router.hpp"

namespace chimera::service {

class bearer_tokens;
class service_metrics;

/// Who may use which route: with `tokens`, every route but the `public_routes` (patterns
/// as registered, e.g. "/healthz") answers 401 to a request without one of the tokens.
struct http_access_policy {
    const bearer_tokens* tokens = nullptr;  ///< none: every route is open
    std::vector<std::string> public_routes;
};

/// Accepts HTTP/1.1 connections and serves each on its own coroutine:
/// read → authorise → route → write, keep-alive, per-phase timeouts and size limits.
/// All members must be called on the executor's thread.
class http_server {
public:
    http_server(boost::asio::any_io_executor executor,
                const boost::asio::ip::tcp::endpoint& endpoint,
                const router& routes,
                service_metrics& metrics,
                http_server_limits limits = {},
                http_access_policy access = {});

    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

    void start();

    /// Stops accepting; sessions end after their current exchange.
    void stop();

    /// What a session needs from its server; it outlives every session.
    struct session_context {
        const router& routes;
        service_metrics& metrics;
        http_server_limits limits;
        http_access_policy access;
    };

private:
    awaitable<void> accept_loop();

    boost::asio::ip::tcp::acceptor acceptor_;
    session_context context_;
    std::size_t open_sessions_ = 0;
};

}  // namespace chimera::service
