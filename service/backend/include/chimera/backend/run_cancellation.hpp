#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace chimera::service {

/// Lets DELETE /runs/{id} and shutdown stop a running run at once. Ollama stops
/// generating only when its client disconnects, so cancel() closes the socket of
/// the call in flight rather than merely flagging it, and cuts a retry back-off short.
/// Used on the io thread only.
class run_cancellation {
public:
    [[nodiscard]] bool cancelled() const { return cancelled_; }

    void cancel() {
        cancelled_ = true;
        if (stream_ != nullptr) {
            stream_->close();
        }
        if (timer_ != nullptr) {
            timer_->cancel();
        }
    }

    /// The stream (or back-off timer) to interrupt while it is in use; nullptr to detach.
    void attach(boost::beast::tcp_stream* stream) { stream_ = stream; }
    void attach(boost::asio::steady_timer* timer) { timer_ = timer; }

private:
    bool cancelled_ = false;
    boost::beast::tcp_stream* stream_ = nullptr;
    boost::asio::steady_timer* timer_ = nullptr;
};

}  // namespace chimera::service
