#pragma once

#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>

namespace chimera::service {

/// What one read of the socket brought.
struct stamped_read {
    boost::system::error_code ec;  ///< beast::error::timeout when the read's expiry passed first
    std::size_t bytes = 0;
    bool filled = false;                            ///< the read took all it asked for: the socket may hold more
    std::chrono::steady_clock::time_point arrived;  ///< when the kernel received the last byte read
    bool stamped = false;  ///< whether the kernel stamped the bytes; if not, `arrived` is when they were read
};

/// Reads a backend stream's socket into a buffer, and says when each read's bytes arrived:
/// by the kernel's receive stamp (SO_TIMESTAMPNS, set by enable_receive_stamps), not by when
/// the io thread woke up and got to them. An io thread that idled through a model's prompt
/// evaluation wakes up with cold caches (docs/benchmarks.md has what that costs); a client that
/// times the token by its own clock puts its wake-up into TTFT, which is the backend's figure.
/// Read with stamps, TTFT and the end of the stream are when the bytes reached this host.
///
/// It also holds reads back while a stream is fast (hold_until): not reading is not enough,
/// epoll would still wake the io thread for every chunk that lands on the socket. A receive
/// low-watermark keeps the socket quiet meanwhile (the kernel signals readability only from
/// that many bytes on, which a window's tokens do not reach); it stays up from one window to
/// the next while tokens keep coming, and comes down before any read that waits for data and
/// in release(), before the connection is handed back.
///
/// The kernel turns stamping on for the whole host through deferred work when the first socket
/// asks, so the first segments after that may come without a stamp; such a read is timed by when
/// it was made, as it would be without stamps.
///
/// Waiting reads wait for readability, then take what the socket holds with recvmsg: a
/// readiness wait on the one io thread sees every arrival after the read that found the
/// socket empty.
class stamped_stream_reader {
public:
    /// Bytes asked of a call's first socket read. A call keeps its buffer for as long as it
    /// streams, and a buffer grows to the largest read asked of it, so large reads would make
    /// every streaming call hold a large buffer (docs/benchmarks.md, memory with 1,000 runs
    /// streaming). A slow stream's read brings one token line and never needs more; a read that
    /// fills its buffer doubles the next one, up to max_read_size, so a fast stream's window of
    /// tokens soon comes in one recvmsg (and one ACK) instead of several.
    static constexpr std::size_t first_read_size = 4096;
    static constexpr std::size_t max_read_size = 64 * 1024;

    stamped_stream_reader(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer);

    /// Takes what the socket already holds, never waiting: nothing read (and no error) when
    /// it holds nothing.
    stamped_read read_now();

    /// Takes what the socket holds, waiting for bytes until `expiry` if it holds none.
    boost::asio::awaitable<stamped_read> read_waiting(std::chrono::steady_clock::time_point expiry);

    /// Keeps the socket quiet until `until`. A wait cut short only means the next read starts early.
    boost::asio::awaitable<void> hold_until(std::chrono::steady_clock::time_point until);

    /// Lowers the watermark so the connection can serve another call.
    void release() { quiet(false); }

private:
    void quiet(bool on);

    boost::beast::tcp_stream& stream_;
    boost::beast::flat_buffer& buffer_;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point last_arrival_;
    std::size_t read_size_ = first_read_size;
    bool quiet_ = false;
};

/// Asks the kernel to stamp what the socket receives. A failure only costs accuracy: a read's
/// arrival is then when the read was made.
void enable_receive_stamps(boost::beast::tcp_stream& stream);

}  // namespace chimera::service
