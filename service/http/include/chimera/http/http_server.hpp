#pragma once

#include <cstddef>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "chimera/http/http_session.hpp"

namespace chimera::service {

/// Accepts HTTP/1.1 connections, up to a limit, and serves each on its own coroutine
/// (serve_http_session). All members must be called on the executor's thread.
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

private:
    awaitable<void> accept_loop();

    boost::asio::ip::tcp::acceptor acceptor_;
    http_session_context context_;
    std::size_t open_sessions_ = 0;
};

}  // namespace chimera::service
