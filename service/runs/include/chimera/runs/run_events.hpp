#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "chimera/asio/awaitable.hpp"

namespace chimera::service {

/// One Server-Sent Event: its name and its data (JSON text).
struct run_event {
    std::string type;
    std::string data;
};

class run_events;

/// Where the events of runs watched on other replicas go (replica_event_relay): replicas that
/// share a store serve each other's runs.
class run_event_forwarder {
public:
    virtual ~run_event_forwarder() = default;
    [[nodiscard]] virtual bool watched_elsewhere(std::string_view run_id) const = 0;
    virtual void forward(std::string_view run_id, std::string_view type, const std::string& data) = 0;
    /// Someone here began to watch the run, which may execute on another replica.
    virtual void subscribed(const std::string& run_id) = 0;
};

/// A listener's queue of one run's events. Bounded: a listener that falls more than
/// `capacity` events behind is cut off (next() reports it) instead of holding memory
/// for a stream it does not read.
class run_event_subscription {
public:
    run_event_subscription(run_events& hub, std::string run_id, boost::asio::any_io_executor executor);
    ~run_event_subscription();
    run_event_subscription(const run_event_subscription&) = delete;
    run_event_subscription& operator=(const run_event_subscription&) = delete;

    enum class wait_result { event, idle, overflowed };

    /// The next event into `out`, or `idle` when none came within `idle_after`.
    awaitable<wait_result> next(run_event& out, std::chrono::milliseconds idle_after);

private:
    friend class run_events;
    class channel;

    void deliver(const run_event& event);

    run_events& hub_;
    std::string run_id_;
    std::unique_ptr<channel> channel_;
    bool overflowed_ = false;
};

/// Who listens to which run, and the fan-out of each run's events to its listeners.
/// Publishing to a run nobody watches costs one map lookup. Used on the io thread only.
class run_events {
public:
    static constexpr std::size_t capacity = 4096;

    explicit run_events(boost::asio::any_io_executor executor);

    [[nodiscard]] std::unique_ptr<run_event_subscription> subscribe(const std::string& run_id);
    /// Here or, with a forwarder, on another replica.
    [[nodiscard]] bool watched(std::string_view run_id) const;
    /// To this replica's listeners and, through the forwarder, to other replicas' listeners.
    void publish(std::string_view run_id, std::string_view type, std::string data);
    /// To this replica's listeners only: an event of a run executing on another replica.
    void deliver_here(std::string_view run_id, std::string_view type, std::string data);
    [[nodiscard]] bool has_listeners(std::string_view run_id) const;
    /// The runs someone here watches.
    [[nodiscard]] std::vector<std::string> watched_here() const;

    void set_forwarder(run_event_forwarder* forwarder) { forwarder_ = forwarder; }

private:
    friend class run_event_subscription;
    void unsubscribe(const std::string& run_id, run_event_subscription* subscription);

    boost::asio::any_io_executor executor_;
    std::map<std::string, std::vector<run_event_subscription*>, std::less<>> listeners_;
    run_event_forwarder* forwarder_ = nullptr;
};

}  // namespace chimera::service
