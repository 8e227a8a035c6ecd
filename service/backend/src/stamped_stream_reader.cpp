#include "stamped_stream_reader.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
using steady = std::chrono::steady_clock;
using asio::experimental::awaitable_operators::operator||;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Above what a window's tokens add up to, so that a window passes without a wake-up:
/// read_pacing::tokens_per_wake lines of Ollama's, about 130 bytes each with their chunk
/// framing (33 KB), or SSE chunks of an OpenAI-compatible engine, about 250 (64 KB).
constexpr int quiet_low_watermark = 128 * 1024;

std::optional<timespec> receive_stamp(msghdr& message) {
    for (auto* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp{};
            std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
            return stamp;
        }
    }
    return std::nullopt;
}

/// The kernel's stamp on the steady clock, kept between the previous read's arrival and
/// now (the real-time clock may have been set meanwhile); now when there is no stamp.
steady::time_point arrival_of(const std::optional<timespec>& stamp,
                              steady::time_point previous,
                              steady::time_point now) {
    if (!stamp) {
        return now;
    }
    const auto stamped = std::chrono::seconds{stamp->tv_sec} + std::chrono::nanoseconds{stamp->tv_nsec};
    const auto ago = std::chrono::system_clock::now().time_since_epoch() - stamped;
    return std::clamp(now - std::chrono::duration_cast<steady::duration>(ago), previous, now);
}

}  // namespace

void enable_receive_stamps(beast::tcp_stream& stream) {
    const int on = 1;
    static_cast<void>(::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on));
}

stamped_stream_reader::stamped_stream_reader(beast::tcp_stream& stream, beast::flat_buffer& buffer)
    : stream_(stream), buffer_(buffer), timer_(stream.get_executor()), last_arrival_(steady::now()) {}

stamped_read stamped_stream_reader::read_now() {
    const auto space = buffer_.prepare(read_size_);
    iovec data{space.data(), space.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const auto n = ::recvmsg(stream_.socket().native_handle(), &message, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return {};
        }
        return {{errno, boost::system::system_category()}, 0, false, {}};
    }
    if (n == 0) {
        return {asio::error::eof, 0, false, {}};
    }
    const auto bytes = static_cast<std::size_t>(n);
    buffer_.commit(bytes);
    const bool filled = bytes == read_size_;
    if (filled) {
        read_size_ = std::min(read_size_ * 2, max_read_size);
    }
    const auto stamp = receive_stamp(message);
    last_arrival_ = arrival_of(stamp, last_arrival_, steady::now());
    return {{}, bytes, filled, last_arrival_, stamp.has_value()};
}

asio::awaitable<stamped_read> stamped_stream_reader::read_waiting(steady::time_point expiry) {
    quiet(false);
    for (;;) {
        auto got = read_now();
        if (got.bytes > 0 || got.ec) {
            co_return got;
        }
        timer_.expires_at(expiry);
        auto readable = stream_.socket().async_wait(asio::socket_base::wait_read, use_tuple);
        auto expired = timer_.async_wait(use_tuple);
        const auto first = co_await (std::move(readable) || std::move(expired));
        if (first.index() == 1) {
            co_return stamped_read{beast::error::timeout, 0, false, {}};
        }
        if (const auto [ec] = std::get<0>(first); ec) {
            co_return stamped_read{ec, 0, false, {}};
        }
    }
}

asio::awaitable<void> stamped_stream_reader::hold_until(steady::time_point until) {
    quiet(true);
    timer_.expires_at(until);
    co_await timer_.async_wait(use_tuple);
}

/// Errors are ignored: a socket closed by cancellation fails the next read anyway.
void stamped_stream_reader::quiet(bool on) {
    if (on == quiet_) {
        return;
    }
    boost::system::error_code ignored;
    stream_.socket().set_option(asio::socket_base::receive_low_watermark{on ? quiet_low_watermark : 1}, ignored);
    quiet_ = on;
}

}  // namespace chimera::service
