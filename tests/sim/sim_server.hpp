// The HTTP/1.1 server: one io thread, a coroutine per connection, keep-alive without idle timeout.
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "sim_config.hpp"
#include "sim_responses.hpp"
#include "sim_state.hpp"

namespace sim {

class sim_server {
public:
    explicit sim_server(sim_config config);

    // Binds, prints "listening on HOST:PORT" as the first stdout line, serves until SIGINT/SIGTERM.
    // Throws boost::system::system_error when the address cannot be bound.
    void run();

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket);
    // Waits, marked idle, until the next request starts to arrive; false when /sim/drop-idle closed it.
    boost::asio::awaitable<bool> await_request(boost::asio::ip::tcp::socket& socket,
                                               const boost::beast::flat_buffer& buffer,
                                               std::uint64_t connection_id);
    boost::asio::awaitable<bool> serve_request(boost::asio::ip::tcp::socket& socket,
                                               const request& req,
                                               std::uint64_t connection_id,
                                               std::chrono::steady_clock::time_point received);

    sim_state state_;
    // Declared after state_: destroying the io_context destroys suspended sessions, which still use it.
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_{ioc_};
    boost::asio::signal_set signals_{ioc_, SIGINT, SIGTERM};
};

}  // namespace sim
