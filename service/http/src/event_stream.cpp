#include "chimera/http/event_stream.hpp"

#include <boost/asio/buffer.hpp>

#include "chimera/http/http_connection.hpp"
#include "chimera/http/request_id.hpp"
#include "response_writer.hpp"

namespace chimera::service {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::seconds write_timeout{30};

}  // namespace

event_stream::event_stream(http_connection& connection, std::string request_id)
    : connection_(connection), request_id_(std::move(request_id)) {}

awaitable<void> event_stream::reply(http_response response) {
    response.keep_alive(false);
    if (!request_id_.empty()) response.set(request_id_header, request_id_);
    response.prepare_payload();
    status_ = response.result_int();
    const auto written = co_await write_response(connection_, response, write_timeout);
    bytes_ += written.bytes;
    head_sent_at_ = std::chrono::steady_clock::now();
}

awaitable<bool> event_stream::open() {
    status_ = 200;
    // X-Accel-Buffering: nginx-style proxies would otherwise hold events back in a buffer.
    std::string head{
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\n"
        "X-Accel-Buffering: no\r\n"
        "Connection: close\r\n"};
    if (!request_id_.empty()) head.append(request_id_header).append(": ").append(request_id_).append("\r\n");
    head.append("\r\n");
    auto ok = co_await write(std::move(head));
    head_sent_at_ = std::chrono::steady_clock::now();
    co_return ok;
}

awaitable<bool> event_stream::send(std::string_view event, std::string_view data) {
    std::string text;
    text.reserve(event.size() + data.size() + 16);
    text.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
    auto ok = co_await write(std::move(text));
    co_return ok;
}

awaitable<bool> event_stream::keep_alive() {
    auto ok = co_await write(": keep-alive\n\n");
    co_return ok;
}

awaitable<bool> event_stream::write(std::string text) {
    connection_.expires_after(write_timeout);
    const auto written = co_await connection_.write({asio::buffer(text), asio::const_buffer{}});
    bytes_ += written.bytes;
    co_return !written.error;
}

}  // namespace chimera::service
