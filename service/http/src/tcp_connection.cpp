#include "tcp_connection.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace chimera::service {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// What is left of `buffers` once `bytes` of them are written.
write_buffers unwritten(write_buffers buffers, std::size_t bytes) {
    for (auto& buffer : buffers) {
        const auto taken = std::min(bytes, buffer.size());
        buffer += taken;
        bytes -= taken;
    }
    return buffers;
}

}  // namespace

tcp_connection::tcp_connection(tcp::socket socket) : stream_(std::move(socket)) {
    boost::system::error_code ignored;
    stream_.socket().set_option(tcp::no_delay{true}, ignored);
    stream_.socket().non_blocking(true, ignored);  // for write() to write at once what the socket takes
}

awaitable<io_result> tcp_connection::read_some(asio::mutable_buffer buffer) {
    auto [error, bytes] = co_await stream_.async_read_some(buffer, use_tuple);
    co_return io_result{error, bytes};
}

awaitable<io_result> tcp_connection::write(write_buffers buffers) {
    boost::system::error_code error;
    const auto now = stream_.socket().write_some(buffers, error);
    if (error && error != asio::error::would_block) {
        co_return io_result{error, 0};
    }
    const auto rest = unwritten(buffers, now);
    if (asio::buffer_size(rest) == 0) {
        co_return io_result{{}, now};
    }
    auto [later_error, later] = co_await asio::async_write(stream_, rest, use_tuple);
    co_return io_result{later_error, now + later};
}

void tcp_connection::expires_after(std::chrono::steady_clock::duration timeout) { stream_.expires_after(timeout); }

void tcp_connection::shutdown_send() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

std::string tcp_connection::remote() const {
    boost::system::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? std::string{"-"} : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::string tcp_connection::remote_address() const {
    boost::system::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? std::string{"-"} : endpoint.address().to_string();
}

}  // namespace chimera::service
