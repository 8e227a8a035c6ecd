#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include "chimera/asio/awaitable.hpp"

namespace chimera::service {

/// What one read or write did: its error, if any, and the bytes it moved.
struct io_result {
    boost::system::error_code error;
    std::size_t bytes = 0;
};

/// What one write sends: a head and a body, either of which may be empty.
using write_buffers = std::array<boost::asio::const_buffer, 2>;

/// The byte stream an HTTP session runs on. A session sees only this, so that its tests can
/// run it over Beast's test stream and fail each read and write in turn; the server gives it
/// a TCP connection.
class http_connection {
public:
    http_connection() = default;
    virtual ~http_connection() = default;
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;
    http_connection(http_connection&&) = delete;
    http_connection& operator=(http_connection&&) = delete;

    /// Reads at least one byte, or fails (`eof` when the peer has finished sending).
    virtual awaitable<io_result> read_some(boost::asio::mutable_buffer buffer) = 0;

    /// Writes all of `buffers`, or fails.
    virtual awaitable<io_result> write(write_buffers buffers) = 0;

    /// A deadline for the reads and writes that follow, until set again: a timeout bounds a
    /// whole phase (all of a request's header), not each read.
    virtual void expires_after(std::chrono::steady_clock::duration timeout) = 0;

    /// Stops sending; reads go on (a lingering close reads what the client still sends).
    virtual void shutdown_send() = 0;

    /// The peer as "address:port", for the access log; "-" when unknown.
    [[nodiscard]] virtual std::string remote() const = 0;

    /// The peer's address alone ("-" when unknown): whether it is a trusted proxy, and its
    /// connection count, go by it.
    [[nodiscard]] virtual std::string remote_address() const = 0;
};

}  // namespace chimera::service
