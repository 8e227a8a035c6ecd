#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "chimera/http/http_session.hpp"

namespace chimera::service {

/// Accepts HTTP/1.1 connections, up to a limit in all and one per address, and serves each
/// on its own coroutine (serve_http_session). Refusals are counted in the metrics under the
/// listener's name and logged at most once per ten seconds. All members must be called on
/// the executor's thread.
class http_server {
public:
    http_server(boost::asio::any_io_executor executor,
                const boost::asio::ip::tcp::endpoint& endpoint,
                const router& routes,
                service_metrics& metrics,
                http_server_limits limits = {},
                http_access_policy access = {},
                trusted_proxies proxies = {},
                std::string listener = "api");

    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

    void start();

    /// Stops accepting; sessions end after their current exchange.
    void stop();

private:
    awaitable<void> accept_loop();
    /// Why a new connection from `address` cannot have a slot; empty when it can.
    [[nodiscard]] std::string_view refusal_reason(const std::string& address) const;
    void refuse(boost::asio::ip::tcp::socket& socket, std::string_view reason);
    void session_ended(const std::string& address);

    boost::asio::ip::tcp::acceptor acceptor_;
    http_session_context context_;
    std::string listener_;
    std::size_t open_sessions_ = 0;
    std::unordered_map<std::string, std::size_t> open_by_address_;
    std::chrono::steady_clock::time_point last_refusal_log_{};
    std::size_t refusals_unlogged_ = 0;
};

}  // namespace chimera::service
