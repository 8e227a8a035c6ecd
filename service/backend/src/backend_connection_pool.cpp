#include "chimera/backend/backend_connection_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chimera/core/run/run_failure.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "stamped_stream_reader.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;

backend_connection_pool::backend_connection_pool(asio::any_io_executor executor,
                                                 const backend_settings& settings,
                                                 service_metrics& metrics)
    : executor_(std::move(executor)), settings_(settings), metrics_(metrics) {}

awaitable<acquired_connection> backend_connection_pool::acquire() {
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        metrics_.observe_backend_connection_reused();
        co_return acquired_connection{std::move(connection), true};
    }
    auto connection = co_await connect();
    co_return acquired_connection{std::move(connection), false};
}

awaitable<backend_connection> backend_connection_pool::connect() {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    const auto& endpoint = settings_.endpoint;
    asio::ip::tcp::resolver resolver{executor_};
    auto [resolve_ec, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
    if (resolve_ec) {
        throw core::run_failure::unreachable("cannot resolve Ollama host " + endpoint.host + ": " +
                                             resolve_ec.message());
    }
    auto stream = std::make_unique<beast::tcp_stream>(executor_);
    stream->expires_after(settings_.connect_timeout);
    auto [connect_ec, connected] = co_await stream->async_connect(results, use_tuple);
    if (connect_ec == beast::error::timeout) {
        throw core::run_failure::timed_out("connect-timeout fired: no connection to Ollama at " + endpoint.authority() +
                                               " within " + std::to_string(settings_.connect_timeout.count()) + " ms",
                                           core::call_retry::safe);
    }
    if (connect_ec) {
        throw core::run_failure::unreachable("cannot connect to Ollama at " + endpoint.authority() + ": " +
                                             connect_ec.message());
    }
    boost::system::error_code ignored;
    stream->socket().set_option(asio::ip::tcp::no_delay{true}, ignored);
    enable_receive_stamps(*stream);  // set once per connection: every read of every call is timed by them
    metrics_.observe_backend_connection_opened();
    co_return stream;
}

void backend_connection_pool::release(backend_connection connection) {
    if (connection && connection->socket().is_open() && idle_.size() < settings_.pool_size) {
        connection->expires_never();
        idle_.push_back(std::move(connection));
    }
}

void backend_connection_pool::close_idle() { idle_.clear(); }

}  // namespace chimera::service
