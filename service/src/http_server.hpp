#pragma once

#include <chrono>
#include <cstddef>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "router.hpp"

namespace chimera::service {

class service_metrics;

struct http_server_limits {
    std::size_t max_body_bytes = std::size_t{1} << 20;
    std::size_t max_header_bytes = std::size_t{16} << 10;
    /// How long a kept-alive client may stay silent; longer than the usual
    /// load-balancer idle timeout (60 s) so the balancer, not we, closes first.
    std::chrono::seconds idle_timeout{75};
};

/// Accepts HTTP/1.1 connections and serves each on its own coroutine:
/// read → route → write, keep-alive, per-operation timeouts.
/// All members must be called on the executor's thread.
class http_server {
public:
    http_server(boost::asio::any_io_executor executor,
                const boost::asio::ip::tcp::endpoint& endpoint,
                const router& routes,
                service_metrics& metrics,
                http_server_limits limits = {});

    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

    void start();

    /// Stops accepting; sessions end after their current exchange.
    void stop();

private:
    awaitable<void> accept_loop();

    boost::asio::ip::tcp::acceptor acceptor_;
    const router& routes_;
    service_metrics& metrics_;
    http_server_limits limits_;
};

}  // namespace chimera::service
