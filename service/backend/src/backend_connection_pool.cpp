#include "chimera/backend/backend_connection_pool.hpp"

#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "backend_wire.hpp"
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
        metrics_.observe_backend_connection_reused(settings_.name);
        co_return acquired_connection{std::move(connection), true};
    }
    auto connection = co_await connect();
    co_return acquired_connection{std::move(connection), false};
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Where the backend listens. A literal address is taken as it is: Asio resolves on a thread of
/// its own, started at the first resolve, which the first call of a run paid for even when the
/// URL named an IP address.
awaitable<std::vector<asio::ip::tcp::endpoint>> addresses_of(const backend_endpoint& endpoint,
                                                             const std::string& who,
                                                             const asio::any_io_executor& executor) {
    boost::system::error_code literal_ec;
    const auto literal = asio::ip::make_address(endpoint.host, literal_ec);
    if (!literal_ec) {
        co_return std::vector<asio::ip::tcp::endpoint>{
            {literal, static_cast<unsigned short>(std::stoul(endpoint.port))}};
    }
    asio::ip::tcp::resolver resolver{executor};
    auto [resolve_ec, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
    if (resolve_ec) {
        throw core::run_failure::unreachable("cannot resolve " + who + " host " + endpoint.host + ": " +
                                             resolve_ec.message());
    }
    std::vector<asio::ip::tcp::endpoint> addresses;
    for (const auto& entry : results) addresses.push_back(entry.endpoint());
    co_return addresses;
}

}  // namespace

awaitable<backend_connection> backend_connection_pool::connect() {
    const auto& endpoint = settings_.endpoint;
    const auto who = wire_of(settings_).who;
    const auto addresses = co_await addresses_of(endpoint, who, executor_);
    auto stream = std::make_unique<beast::tcp_stream>(executor_);
    stream->expires_after(settings_.connect_timeout);
    auto [connect_ec, connected] = co_await stream->async_connect(addresses, use_tuple);
    if (connect_ec == beast::error::timeout) {
        throw core::run_failure::timed_out("connect-timeout fired: no connection to " + who + " at " +
                                               endpoint.authority() + " within " +
                                               std::to_string(settings_.connect_timeout.count()) + " ms",
                                           core::call_retry::safe);
    }
    if (connect_ec) {
        throw core::run_failure::unreachable("cannot connect to " + who + " at " + endpoint.authority() + ": " +
                                             connect_ec.message());
    }
    boost::system::error_code ignored;
    stream->socket().set_option(asio::ip::tcp::no_delay{true}, ignored);
    enable_receive_stamps(*stream);  // set once per connection: every read of every call is timed by them
    metrics_.observe_backend_connection_opened(settings_.name);
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
