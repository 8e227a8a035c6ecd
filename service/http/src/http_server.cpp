#include "chimera/http/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "tcp_connection.hpp"

namespace chimera::service {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

awaitable<void> serve_tcp_session(tcp::socket socket, const http_session_context& context) {
    tcp_connection connection{std::move(socket)};
    co_await serve_http_session(connection, context);
}

void log_session_end(const std::exception_ptr& failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        spdlog::warn("HTTP session ended with an error: {}", e.what());
    }
}

}  // namespace

http_server::http_server(asio::any_io_executor executor,
                         const tcp::endpoint& endpoint,
                         const router& routes,
                         service_metrics& metrics,
                         http_server_limits limits,
                         http_access_policy access)
    : acceptor_(executor, endpoint), context_{routes, metrics, limits, std::move(access)} {}

tcp::endpoint http_server::local_endpoint() const { return acceptor_.local_endpoint(); }

void http_server::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](const std::exception_ptr& failure) { log_session_end(failure); });
}

void http_server::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

awaitable<void> http_server::accept_loop() {
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            spdlog::warn("accept failed: {}", ec.message());
            continue;
        }
        if (open_sessions_ >= context_.limits.max_connections) {
            // Closing at once costs nothing; reading a request to answer 503 would cost a slot.
            spdlog::debug("connection refused: {} connections open", open_sessions_);
            socket.close(ec);
            continue;
        }
        ++open_sessions_;
        asio::co_spawn(acceptor_.get_executor(), serve_tcp_session(std::move(socket), context_),
                       [this](const std::exception_ptr& failure) {
                           --open_sessions_;
                           log_session_end(failure);
                       });
    }
}

}  // namespace chimera::service
