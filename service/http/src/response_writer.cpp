#include "response_writer.hpp"

#include <boost/asio/buffer.hpp>

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

awaitable<io_result> write_response(http_connection& connection,
                                    const http_response& response,
                                    std::chrono::steady_clock::duration timeout) {
    const auto head = response_head(response);
    connection.expires_after(timeout);
    auto written = co_await connection.write({asio::buffer(head), asio::buffer(response.body())});
    co_return written;
}

}  // namespace chimera::service
