#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace chimera::service {

/// LISTENs on PostgreSQL notification channels (store_channels.hpp) on a connection of its own, in a thread of
/// its own blocking in poll() on the connection's socket and an eventfd that stops it. When the connection
/// drops it reconnects with capped exponential back-off and jitter; notifications sent meanwhile are lost, so
/// `on_connected` is called after every (re)connect for its owner to re-check what it may have missed.
///
/// Both callbacks are called on the listener's thread, one at a time: they must not block for long (a slow
/// handler delays the next notification), must not throw (the thread would end the process), and must hand
/// work to their owner's thread themselves.
class pg_notification_listener {
public:
    using handler = std::function<void(std::string_view channel, std::string_view payload)>;

    pg_notification_listener(std::string conninfo,
                             std::vector<std::string> channels,
                             handler on_notification,
                             std::function<void()> on_connected,
                             std::string password = {});
    /// Stops and joins the thread promptly, even in the middle of a connect or a back-off.
    ~pg_notification_listener();
    pg_notification_listener(const pg_notification_listener&) = delete;
    pg_notification_listener& operator=(const pg_notification_listener&) = delete;

    /// Whether it is listening now.
    [[nodiscard]] bool connected() const;

private:
    void run(const std::stop_token& stop);

    std::string conninfo_;
    std::string password_;
    std::vector<std::string> channels_;
    handler on_notification_;
    std::function<void()> on_connected_;
    std::atomic<bool> connected_{false};
    int wake_fd_ = -1;  ///< an eventfd written to stop the thread
    std::jthread thread_;
};

}  // namespace chimera::service
