// The response side of one streamed exchange: a status line and headers sent once, then the body
// as HTTP/1.1 chunks (HTTP/1.0: until close), with the write faults (split writes, every byte).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim_faults.hpp"
#include "sim_responses.hpp"
#include "sim_stats.hpp"

namespace sim {

class sse_writer {
public:
    sse_writer(boost::asio::ip::tcp::socket& socket, const request& req, std::shared_ptr<request_record> record);

    bool keep_alive() const { return keep_alive_; }
    bool headers_sent() const { return headers_sent_; }
    std::chrono::steady_clock::time_point last_write() const { return last_write_; }

    // Queues the 200 status line and headers; they go out with the next write, in the same
    // segment, as both engines flush them with the first bytes of the body.
    void begin_body(std::string_view content_type);

    // `data: <json>\n\n`, cut as `faults` say; `salt` picks the cut.
    boost::asio::awaitable<bool> write_event(std::string_view data, const fault_plan& faults, std::uint64_t salt);
    boost::asio::awaitable<bool> write_chunk(std::string_view data);
    // The queued status line and headers alone, before any of the body.
    boost::asio::awaitable<bool> flush_header();
    boost::asio::awaitable<bool> end_body();

    // A whole response instead of a stream.
    boost::asio::awaitable<bool> reply(http::status status, std::string_view content_type, std::string body);

    // FIN without the chunked terminator, as when the server dies mid-stream.
    void truncate();
    // Read in full, answered with nothing: an RST (SO_LINGER 0).
    void reset();
    // The client left: no further request on this connection.
    void client_gone();

private:
    bool written(const boost::system::error_code& ec);

    boost::asio::ip::tcp::socket& socket_;
    const request& req_;
    std::shared_ptr<request_record> record_;
    bool keep_alive_;
    const bool chunked_;
    bool headers_sent_ = false;
    std::string pending_header_;
    std::chrono::steady_clock::time_point last_write_;
};

}  // namespace sim
