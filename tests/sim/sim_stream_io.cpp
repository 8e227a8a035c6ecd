#include "sim_stream_io.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sim {

namespace net = boost::asio;

net::awaitable<bool> watch_disconnect(net::ip::tcp::socket& socket) {
    constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
    char byte = 0;
    const auto [ec, n] =
        co_await socket.async_receive(net::buffer(&byte, 1), net::ip::tcp::socket::message_peek, use_tuple);
    if (!ec) {
        net::steady_timer until_cancelled{socket.get_executor(), std::chrono::steady_clock::time_point::max()};
        co_await until_cancelled.async_wait(use_tuple);
    }
    co_return ec.failed() && ec != net::error::operation_aborted;
}

std::size_t split_point(std::string_view object, std::uint64_t salt) {
    const auto lead = std::find_if(object.begin(), object.end(), [](char c) { return (c & 0xC0) == 0xC0; });
    if (lead != object.end()) {
        return static_cast<std::size_t>(lead - object.begin()) + 1;
    }
    return 1 + (salt * 7919) % (object.size() - 1);
}

}  // namespace sim
