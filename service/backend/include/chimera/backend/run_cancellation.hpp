#pragma once

#include <optional>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "chimera/core/run/cancel_reason.hpp"

namespace chimera::service {

/// Lets DELETE /runs/{id}, a drain and a lost lease stop a running run at once. Ollama stops
/// generating only when its client disconnects, so cancel() closes the socket of the call in
/// flight rather than merely flagging it, and cuts a retry back-off short.
/// Used on the io thread only.
class run_cancellation {
public:
    /// While alive, cancel() closes the attached stream or ends the attached timer's wait.
    /// It detaches only what it attached: a guard replaced by a newer one leaves that one exposed.
    class attachment {
    public:
        attachment(const attachment&) = delete;
        attachment& operator=(const attachment&) = delete;
        attachment(attachment&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), stream_(other.stream_), timer_(other.timer_) {}
        attachment& operator=(attachment&& other) noexcept {
            if (this != &other) {
                detach();
                owner_ = std::exchange(other.owner_, nullptr);
                stream_ = other.stream_;
                timer_ = other.timer_;
            }
            return *this;
        }
        ~attachment() { detach(); }

    private:
        friend class run_cancellation;
        attachment(run_cancellation* owner, boost::beast::tcp_stream* stream, boost::asio::steady_timer* timer)
            : owner_(owner), stream_(stream), timer_(timer) {}
        void detach() {
            if (owner_ == nullptr) return;
            if (owner_->stream_ == stream_) owner_->stream_ = nullptr;
            if (owner_->timer_ == timer_) owner_->timer_ = nullptr;
        }
        run_cancellation* owner_;
        boost::beast::tcp_stream* stream_;
        boost::asio::steady_timer* timer_;
    };

    [[nodiscard]] bool cancelled() const { return reason_.has_value(); }
    [[nodiscard]] std::optional<core::cancel_reason> reason() const { return reason_; }

    /// The first reason stays, except that a lost lease overrides any: the result of a run
    /// another process owns must never be recorded or handed back.
    void cancel(core::cancel_reason reason) {
        if (!reason_ || reason == core::cancel_reason::lease_lost) reason_ = reason;
        interrupt();
    }

    /// Exposes a stream (or back-off timer) to cancellation while the returned guard lives;
    /// one already cancelled is interrupted at once.
    [[nodiscard]] attachment attach(boost::beast::tcp_stream& stream) {
        stream_ = &stream;
        timer_ = nullptr;
        return expose();
    }
    [[nodiscard]] attachment attach(boost::asio::steady_timer& timer) {
        timer_ = &timer;
        stream_ = nullptr;
        return expose();
    }

private:
    attachment expose() {
        if (cancelled()) interrupt();
        return attachment{this, stream_, timer_};
    }
    /// Closing the stream fails its pending and later operations; an expiry in the past ends
    /// the timer's pending wait (operation_aborted) and any later one at once.
    void interrupt() {
        if (stream_ != nullptr) stream_->close();
        if (timer_ != nullptr) timer_->expires_at(boost::asio::steady_timer::time_point::min());
    }

    std::optional<core::cancel_reason> reason_;
    boost::beast::tcp_stream* stream_ = nullptr;
    boost::asio::steady_timer* timer_ = nullptr;
};

}  // namespace chimera::service
