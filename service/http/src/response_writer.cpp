#include "response_writer.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace chimera::service {
namespace asio = boost::asio;

namespace {

constexpr std::size_t line_overhead = 4;  // ": " and CRLF

std::size_t head_size(const http_response& response) {
    std::size_t size = sizeof("HTTP/1.1 200 \r\n\r\n") + response.reason().size();
    for (const auto& field : response) {
        size += field.name_string().size() + field.value().size() + line_overhead;
    }
    return size;
}

char digit(unsigned value) { return static_cast<char>('0' + value % 10); }

void append_status_line(std::string& head, const http_response& response) {
    const unsigned version = response.version();
    const unsigned status = response.result_int();
    head.append("HTTP/");
    head += digit(version / 10);
    head += '.';
    head += digit(version);
    head += ' ';
    head += digit(status / 100);
    head += digit(status / 10);
    head += digit(status);
    head += ' ';
    head.append(response.reason());
    head.append("\r\n");
}

using gathered = std::array<asio::const_buffer, 2>;

/// What is left of `buffers` once `bytes` of them are written.
gathered unwritten(gathered buffers, std::size_t bytes) {
    for (auto& buffer : buffers) {
        const auto taken = std::min(bytes, buffer.size());
        buffer += taken;
        bytes -= taken;
    }
    return buffers;
}

}  // namespace

std::string response_head(const http_response& response) {
    std::string head;
    head.reserve(head_size(response));
    append_status_line(head, response);
    for (const auto& field : response) {
        head.append(field.name_string());
        head.append(": ");
        head.append(field.value());
        head.append("\r\n");
    }
    head.append("\r\n");
    return head;
}

awaitable<write_outcome> write_response(boost::beast::tcp_stream& stream,
                                        const http_response& response,
                                        std::chrono::seconds timeout) {
    const auto head = response_head(response);
    const gathered buffers{asio::buffer(head), asio::buffer(response.body())};
    boost::system::error_code error;
    const auto now = stream.socket().write_some(buffers, error);
    if (error && error != asio::error::would_block) {
        co_return write_outcome{error, 0};
    }
    const auto rest = unwritten(buffers, now);
    if (asio::buffer_size(rest) == 0) {
        co_return write_outcome{{}, now};
    }
    stream.expires_after(timeout);
    auto [later_error, later] = co_await asio::async_write(stream, rest, asio::as_tuple(asio::use_awaitable));
    co_return write_outcome{later_error, now + later};
}

}  // namespace chimera::service
