#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chimera/asio/awaitable.hpp"
#include "chimera/runs/run_events.hpp"
#include "chimera/runs/store_calls.hpp"

namespace chimera::service {

/// Carries run events between replicas that share a store, so `GET /runs/{id}/events` works
/// through whichever replica the balancer picks. A replica that begins to watch a run says so
/// (and again every 10 s while it watches); the replica executing the run forwards that run's
/// events to it. Messages travel as the store's notifications (PostgreSQL NOTIFY), each under
/// 8,000 bytes and sent in order by one sender:
///   - status changes as they happen;
///   - token text coalesced per run every 50 ms: one NOTIFY per token would put every commit
///     of the database behind NOTIFY's lock;
///   - the end of a run as a short `ended`, which the watching replica answers by reading the
///     final document from the store (it is larger than a notification may be).
/// A notification can be lost (its connection dropped), so a watching replica also looks at
/// the store for the runs it watches every 10 s and after a reconnect, and ends the streams
/// of runs that ended. Used on the io thread.
class replica_event_relay final : public run_event_forwarder {
public:
    struct hooks {
        /// Sends one message to every replica; blocking (a store round trip), so it runs
        /// through `calls`.
        std::function<void(const std::string& payload)> notify;
        /// Whether the run executes in this process.
        std::function<bool(std::string_view run_id)> executes_here;
        /// The run's document as the store holds it, for a run that ended elsewhere.
        std::function<awaitable<std::optional<std::string>>(std::string run_id)> stored_document;
    };

    replica_event_relay(boost::asio::any_io_executor executor,
                        run_events& events,
                        store_calls calls,
                        std::string replica,
                        hooks replica_hooks);

    void start();
    void stop();

    /// A message from the store's notifications, sent by any replica (this one's are ignored).
    void receive(std::string_view payload);
    /// The notifications were down for a while: what they carried may be lost.
    void reconnected();

    [[nodiscard]] bool watched_elsewhere(std::string_view run_id) const override;
    void forward(std::string_view run_id, std::string_view type, const std::string& data) override;
    void subscribed(const std::string& run_id) override;

private:
    void send(std::string_view run_id, std::string_view type, std::string data);
    void flush_tokens(const std::string& run_id);
    void flush_all_tokens();
    void coalesce_token(std::string_view run_id, const std::string& data);
    awaitable<void> send_queued();
    awaitable<void> keep_watching();
    awaitable<void> tick_tokens();
    awaitable<void> end_if_ended(std::vector<std::string> runs);
    void announce_watches();

    boost::asio::any_io_executor executor_;
    run_events& events_;
    store_calls calls_;
    std::string replica_;
    hooks hooks_;
    boost::asio::steady_timer watch_timer_;
    boost::asio::steady_timer token_timer_;
    std::deque<std::string> outbox_;
    bool sending_ = false;
    bool token_tick_armed_ = false;
    bool stopped_ = false;
    /// Runs executing here that other replicas watch, until when.
    std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> remote_watches_;
    /// Token text waiting for the next tick, per run and call.
    std::map<std::string, std::map<std::string, std::string>, std::less<>> pending_tokens_;
};

}  // namespace chimera::service
