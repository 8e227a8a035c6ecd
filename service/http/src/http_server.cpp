#include "chimera/http/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "chimera/telemetry/service_metrics.hpp"
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
                         http_access_policy access,
                         trusted_proxies proxies,
                         std::string listener)
    : acceptor_(executor, endpoint),
      context_{routes, metrics, limits, std::move(access), std::move(proxies)},
      listener_(std::move(listener)) {}

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
        boost::system::error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        auto address = peer_ec ? std::string{"-"} : peer.address().to_string();
        if (const auto reason = refusal_reason(address); !reason.empty()) {
            // Closing at once costs nothing; reading a request to answer 503 would cost a slot.
            refuse(socket, reason);
            continue;
        }
        ++open_sessions_;
        ++open_by_address_[address];
        context_.metrics.add_http_connections_open(listener_, 1);
        asio::co_spawn(acceptor_.get_executor(), serve_tcp_session(std::move(socket), context_),
                       [this, address = std::move(address)](const std::exception_ptr& failure) {
                           session_ended(address);
                           log_session_end(failure);
                       });
    }
}

std::string_view http_server::refusal_reason(const std::string& address) const {
    if (open_sessions_ >= context_.limits.max_connections) return "capacity";
    if (context_.proxies.trusts(address)) return {};
    const auto found = open_by_address_.find(address);
    const bool at_cap = found != open_by_address_.end() && found->second >= context_.limits.max_connections_per_address;
    return at_cap ? "per_address" : std::string_view{};
}

/// A flood of refusals is one log line per ten seconds, with the count since the last.
void http_server::refuse(tcp::socket& socket, std::string_view reason) {
    boost::system::error_code ignored;
    socket.close(ignored);
    context_.metrics.observe_http_connection_refused(listener_, reason);
    ++refusals_unlogged_;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ < std::chrono::seconds{10}) return;
    spdlog::warn(
        "{} listener: refused {} connection(s) since the last such line (this one: {}; {} open, at most {} "
        "in all and {} per address)",
        listener_, refusals_unlogged_, reason, open_sessions_, context_.limits.max_connections,
        context_.limits.max_connections_per_address);
    last_refusal_log_ = now;
    refusals_unlogged_ = 0;
}

void http_server::session_ended(const std::string& address) {
    --open_sessions_;
    context_.metrics.add_http_connections_open(listener_, -1);
    const auto found = open_by_address_.find(address);
    if (found != open_by_address_.end() && --found->second == 0) open_by_address_.erase(found);
}

}  // namespace chimera::service
