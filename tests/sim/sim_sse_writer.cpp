#include "sim_sse_writer.hpp"

#include <sstream>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>

#include "sim_stream_io.hpp"

namespace sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace

sse_writer::sse_writer(net::ip::tcp::socket& socket, const request& req, std::shared_ptr<request_record> record)
    : socket_{socket},
      req_{req},
      record_{std::move(record)},
      keep_alive_{req.keep_alive()},
      chunked_{req.version() >= 11},
      last_write_{std::chrono::steady_clock::now()} {}

void sse_writer::begin_body(std::string_view content_type) {
    if (headers_sent_) {
        return;
    }
    http::response<http::empty_body> res{http::status::ok, req_.version()};
    res.set(http::field::content_type, content_type);
    res.set(http::field::date, http_date());
    // HTTP/1.0 has no chunked encoding: the body ends with the connection.
    keep_alive_ = keep_alive_ && chunked_;
    res.keep_alive(keep_alive_);
    res.chunked(chunked_);
    std::ostringstream header;
    header << res.base();
    pending_header_ = std::move(header).str();
    headers_sent_ = true;
    record_->status = 200;
}

net::awaitable<bool> sse_writer::write_event(std::string_view data, const fault_plan& faults, std::uint64_t salt) {
    std::string event{"data: "};
    event.append(data).append("\n\n");
    const std::string_view whole{event};
    if (faults.split_every_byte) {
        for (std::size_t at = 0; at < whole.size(); ++at) {
            if (!co_await write_chunk(whole.substr(at, 1))) {
                co_return false;
            }
        }
        co_return true;
    }
    const auto at = faults.split_writes ? split_point(whole, salt) : whole.size();
    const bool first_written = co_await write_chunk(whole.substr(0, at));
    if (!first_written || at == whole.size()) {
        co_return first_written;
    }
    co_return co_await write_chunk(whole.substr(at));
}

net::awaitable<bool> sse_writer::write_chunk(std::string_view data) {
    const std::string header = std::exchange(pending_header_, {});
    last_write_ = std::chrono::steady_clock::now();
    if (!chunked_) {
        const auto [ec, n] =
            co_await net::async_write(socket_, beast::buffers_cat(net::buffer(header), net::buffer(data)), use_tuple);
        co_return written(ec);
    }
    const auto chunk = http::make_chunk(net::buffer(data));
    const auto [ec, n] = co_await net::async_write(socket_, beast::buffers_cat(net::buffer(header), chunk), use_tuple);
    co_return written(ec);
}

net::awaitable<bool> sse_writer::flush_header() {
    const std::string header = std::exchange(pending_header_, {});
    last_write_ = std::chrono::steady_clock::now();
    const auto [ec, n] = co_await net::async_write(socket_, net::buffer(header), use_tuple);
    co_return written(ec);
}

net::awaitable<bool> sse_writer::end_body() {
    if (!chunked_) {
        co_return true;
    }
    const auto [ec, n] = co_await net::async_write(socket_, http::make_chunk_last(), use_tuple);
    co_return written(ec);
}

net::awaitable<bool> sse_writer::reply(http::status status, std::string_view content_type, std::string body) {
    auto res = make_response(req_, status, content_type, std::move(body));
    record_->status = static_cast<unsigned>(status);
    const auto [ec, n] = co_await http::async_write(socket_, res, use_tuple);
    co_return written(ec);
}

void sse_writer::truncate() {
    boost::system::error_code ignored;
    socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    keep_alive_ = false;
}

void sse_writer::reset() {
    boost::system::error_code ignored;
    socket_.set_option(net::socket_base::linger{true, 0}, ignored);
    socket_.close(ignored);
    keep_alive_ = false;
}

void sse_writer::client_gone() {
    record_->client_disconnected = true;
    keep_alive_ = false;
}

bool sse_writer::written(const boost::system::error_code& ec) {
    if (ec) {
        client_gone();
    }
    return !ec;
}

}  // namespace sim
