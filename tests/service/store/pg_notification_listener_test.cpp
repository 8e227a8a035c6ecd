// The listener hears the store's notifications from other connections, comes back after its connection is
// killed (telling its owner, who may have missed some), and stops promptly even when it cannot connect.
#include "chimera/store/pg_notification_listener.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "chimera/store/pg_run_store.hpp"
#include "chimera/store/store_channels.hpp"
#include "pg_connection.hpp"
#include "store_contract.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

constexpr auto deadline = 10s;

/// What the listener's thread reported, waited for with a deadline from the test's thread.
class recorder {
public:
    void notified(std::string_view channel, std::string_view payload) {
        std::lock_guard lock{mutex_};
        notes_.emplace_back(channel, payload);
        changed_.notify_all();
    }
    void connected() {
        std::lock_guard lock{mutex_};
        ++connects_;
        changed_.notify_all();
    }
    bool wait_for_note(const std::string& channel, const std::string& payload) {
        std::unique_lock lock{mutex_};
        return changed_.wait_for(lock, deadline, [&] {
            return std::find(notes_.begin(), notes_.end(), std::pair{channel, payload}) != notes_.end();
        });
    }
    bool wait_for_connects(int count) {
        std::unique_lock lock{mutex_};
        return changed_.wait_for(lock, deadline, [&] { return connects_ >= count; });
    }
    void clear() {
        std::lock_guard lock{mutex_};
        notes_.clear();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::pair<std::string, std::string>> notes_;
    int connects_ = 0;
};

run_submission listener_submission(const std::string& id) {
    return {id, "gemma3:latest", std::nullopt, "{}", std::nullopt, std::chrono::system_clock::now(), std::nullopt};
}

class pg_notification_listener_test : public testing::Test {
protected:
    std::string conninfo_ = test::fresh_postgres_database();
    pg_run_store store_{{conninfo_, 2, 5s, 5s}};
    recorder recorder_;
    pg_notification_listener listener_{
        conninfo_,
        {std::string{work_channel}, std::string{cancel_channel}, "custom"},
        [this](std::string_view channel, std::string_view payload) { recorder_.notified(channel, payload); },
        [this] { recorder_.connected(); }};
};

TEST_F(pg_notification_listener_test, hears_a_submit_and_a_cancellation_from_another_connection) {
    ASSERT_TRUE(recorder_.wait_for_connects(1));
    EXPECT_TRUE(listener_.connected());
    store_.submit(listener_submission("a"));
    EXPECT_TRUE(recorder_.wait_for_note(std::string{work_channel}, ""));
    const auto now = std::chrono::system_clock::now();
    ASSERT_TRUE(store_.claim_next("me", now + 1min, now));
    ASSERT_TRUE(store_.request_cancel("a"));
    EXPECT_TRUE(recorder_.wait_for_note(std::string{cancel_channel}, "a"));
    store_.notify("custom", "payload");
    EXPECT_TRUE(recorder_.wait_for_note("custom", "payload"));
}

TEST_F(pg_notification_listener_test, reconnects_after_its_connection_is_killed_and_says_so) {
    ASSERT_TRUE(recorder_.wait_for_connects(1));
    pg_connection admin{{conninfo_, 5s, "test"}, 5s};
    const auto killed = admin.query(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = $1",
        pg_params{}.add("chimera-listener"));
    ASSERT_EQ(killed.integer(0, 0), 1);
    ASSERT_TRUE(recorder_.wait_for_connects(2)) << "on_connected is called again after the reconnect";
    recorder_.clear();
    store_.submit(listener_submission("after"));
    EXPECT_TRUE(recorder_.wait_for_note(std::string{work_channel}, ""));
}

// Every change after which the head of the queue may be claimable wakes the idle workers of every replica.
TEST_F(pg_notification_listener_test, each_change_that_may_free_the_queue_head_notifies_work) {
    ASSERT_TRUE(recorder_.wait_for_connects(1));
    const auto work = std::string{work_channel};
    const auto now = std::chrono::system_clock::now();
    const auto expect_work = [&](const char* change) {
        EXPECT_TRUE(recorder_.wait_for_note(work, "")) << change;
        recorder_.clear();
    };
    store_.submit(listener_submission("a"));
    expect_work("submit");
    auto run = store_.claim_next("me", now + 1min, now);
    ASSERT_TRUE(run);
    ASSERT_TRUE(store_.release("a", run->attempt));
    expect_work("release");
    run = store_.claim_next("me", now - 1s, now);
    ASSERT_TRUE(run);
    ASSERT_EQ(store_.recover_expired(now, 3).requeued, 1U);
    expect_work("recover_expired");
    run = store_.claim_next("me", now + 1min, now);
    ASSERT_TRUE(run);
    ASSERT_TRUE(store_.complete({"a", run->attempt, core::run_status::succeeded, std::nullopt, now, "{}", "", ""}));
    expect_work("complete");
    store_.submit(listener_submission("b"));
    expect_work("submit");
    ASSERT_TRUE(store_.cancel_queued("b", now));
    expect_work("cancel_queued");
    store_.submit_sweep({"s", "m", std::nullopt, "{}", 0ms, now, {{"s-0", "baseline", "{}"}, {"s-1", "c", "{}"}}});
    expect_work("submit_sweep");
    ASSERT_TRUE(store_.claim_next("me", now + 1min, now));
    EXPECT_EQ(store_.cancel_sweep("s", now).running, std::vector<std::string>{"s-0"});
    EXPECT_TRUE(recorder_.wait_for_note(std::string{cancel_channel}, "s-0")) << "the owner of its running run";
    expect_work("cancel_sweep");
}

TEST(pg_notification_listener_stop_test, stops_promptly_while_it_cannot_connect) {
    std::atomic<int> connects{0};
    const auto started = std::chrono::steady_clock::now();
    {
        // 192.0.2.1 (TEST-NET-1) answers nothing: the connect would hang until its timeout.
        pg_notification_listener listener{
            "host=192.0.2.1 port=5432 dbname=x user=x", {"chimera_work"}, nullptr, [&] { ++connects; }};
        EXPECT_FALSE(listener.connected());
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(connects.load(), 0);
}

}  // namespace
}  // namespace chimera::service
