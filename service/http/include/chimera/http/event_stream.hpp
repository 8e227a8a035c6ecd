#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "chimera/http/http_types.hpp"

namespace chimera::service {

/// The response side of a Server-Sent Events route: either one plain response (an
/// error before the stream began), or `text/event-stream` on a connection that closes
/// when the stream ends — the body is delimited by the close, so no chunked framing.
/// Every write has a timeout: a client that stops reading is dropped, not waited on.
class http_connection;

class event_stream {
public:
    /// `request_id`: echoed as X-Request-Id in the head, when not empty.
    explicit event_stream(http_connection& connection, std::string request_id = {});

    /// Answers with `response` instead of a stream.
    awaitable<void> reply(http_response response);

    /// Sends the 200 `text/event-stream` head; false when the client is gone.
    awaitable<bool> open();

    /// One event; `data` must not hold a line break (JSON text from dump() never does).
    awaitable<bool> send(std::string_view event, std::string_view data);

    /// A comment line: keeps proxies from timing the stream out and detects a gone client.
    awaitable<bool> keep_alive();

    [[nodiscard]] unsigned status() const { return status_; }
    /// When the head (or the plain response) was written.
    [[nodiscard]] std::chrono::steady_clock::time_point head_sent_at() const { return head_sent_at_; }
    [[nodiscard]] std::size_t bytes_written() const { return bytes_; }

private:
    awaitable<bool> write(std::string text);

    http_connection& connection_;
    std::string request_id_;
    unsigned status_ = 0;
    std::chrono::steady_clock::time_point head_sent_at_ = std::chrono::steady_clock::now();
    std::size_t bytes_ = 0;
};

}  // namespace chimera::service
