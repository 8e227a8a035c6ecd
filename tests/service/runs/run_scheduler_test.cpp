#include "chimera/runs/run_scheduler.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/runs/run_artifacts.hpp"
#include "chimera/store/sqlite_run_store.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using core::run_status;

const core::wall_time start_of_test = core::wall_time{} + std::chrono::hours{24 * 365 * 56};

/// The scheduler on one io_context, in this process: a real SQLite store in a temporary
/// directory, a wall clock the test moves by hand, and runs that execute only as the test
/// says (held until released or cancelled), so drain, leases, cancellation, cool-downs and
/// back-pressure are driven step by step without a backend or a child process.
class run_scheduler_test : public testing::Test {
protected:
    /// Starts a scheduler with `workers` workers and room for `capacity` queued runs.
    void start(std::size_t workers = 1, std::size_t capacity = 100) {
        scheduler_settings settings;
        settings.workers = workers;
        settings.capacity = capacity;
        settings.lease = lease;
        settings.owner = "this-process";
        settings.clock = [this] { return clock_now; };
        scheduler = std::make_unique<run_scheduler>(
            io.get_executor(), store, store, artifacts, services(), settings,
            [this](core::run_document& run, std::filesystem::path, run_cancellation& cancellation) {
                return held_run(run, cancellation);
            });
        scheduler->start();
    }

    /// Stops the workers and lets every held run unwind before the fixture goes: their
    /// coroutines refer to the scheduler.
    void TearDown() override {
        if (!scheduler || scheduler->draining()) return;
        bool drained = false;
        scheduler->drain(1ms, [&] { drained = true; });
        EXPECT_TRUE(run_until([&] { return drained; }));
    }

    run_pipeline_services services() { return {fleet, blocking, metrics, {}}; }

    /// What the pipeline would do, but waiting for the test: succeeds when released, ends
    /// cancelled when its cancellation fires.
    awaitable<std::string> held_run(core::run_document& run, run_cancellation& cancellation) {
        run.status = run_status::running;
        asio::steady_timer gate{io, asio::steady_timer::time_point::max()};
        gates[run.id] = &gate;
        started.push_back(run.id);
        {
            const auto exposed = cancellation.attach(gate);
            co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        gates.erase(run.id);
        run.finished_at = clock_now;
        if (cancellation.cancelled()) {
            run.status = run_status::cancelled;
            run.error = core::run_error{core::failure_type::cancelled, "the run was cancelled"};
            co_return "";
        }
        run.status = run_status::succeeded;
        run.stage = core::run_stage::done;
        co_return "# report of " + run.id;
    }

    /// Lets a held run finish successfully.
    void release(const std::string& id) { gates.at(id)->cancel(); }

    std::string submit(const std::string& id) {
        const auto result = await(scheduler->submit(
            {id, "gemma3:latest", std::nullopt, R"({"data_dir":"tiny"})", std::nullopt, clock_now, std::nullopt}));
        EXPECT_EQ(result.status, submit_status::accepted) << id;
        return id;
    }

    /// The result of one of the scheduler's coroutines, run on the io_context to its end.
    template <typename T>
    T await(awaitable<T> work) {
        std::optional<T> out;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(work), [&](const std::exception_ptr& error, T value) {
            failure = error;
            if (!error) out.emplace(std::move(value));
            done = true;
        });
        EXPECT_TRUE(run_until([&] { return done; }));
        if (failure) std::rethrow_exception(failure);
        return std::move(out).value();
    }

    /// Runs the io_context until `done` holds; false when it did not within `limit`.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(5ms);
        return done();
    }

    run_status status_of(const std::string& id) { return store.find(id).value().status; }
    bool is_held(const std::string& id) const { return gates.contains(id); }

    std::chrono::milliseconds lease{150};
    core::wall_time clock_now = start_of_test;
    asio::io_context io{1};
    asio::thread_pool blocking{1};
    test::temp_dir dir;
    sqlite_run_store store{dir.path()};
    run_artifacts artifacts{dir.path() / "runs"};
    service_metrics metrics;
    backend_fleet fleet{io.get_executor(), {backend_settings{}}, metrics};
    std::map<std::string, asio::steady_timer*> gates;
    std::vector<std::string> started;
    std::unique_ptr<run_scheduler> scheduler;
};

TEST_F(run_scheduler_test, runs_execute_oldest_first_at_most_workers_at_once) {
    start(2);
    for (const auto* id : {"a", "b", "c"}) submit(id);
    ASSERT_TRUE(run_until([&] { return started.size() == 2; }));
    EXPECT_EQ(started, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(status_of("c"), run_status::queued);
    EXPECT_EQ(scheduler->running(), 2U);

    release("a");
    ASSERT_TRUE(run_until([&] { return started.size() == 3; }));
    EXPECT_EQ(started.back(), "c");
    EXPECT_EQ(status_of("a"), run_status::succeeded);
    EXPECT_EQ(store.report("a", report_kind::llm), "# report of a");
}

TEST_F(run_scheduler_test, a_full_queue_refuses_with_a_retry_hint_and_keeps_what_it_holds) {
    start(1, 2);
    submit("running");
    ASSERT_TRUE(run_until([&] { return is_held("running"); }));
    submit("q1");
    submit("q2");
    const auto refused =
        await(scheduler->submit({"q3", "gemma3:latest", std::nullopt, "{}", std::nullopt, clock_now, std::nullopt}));
    EXPECT_EQ(refused.status, submit_status::queue_full);
    EXPECT_FALSE(store.find("q3").has_value());
    EXPECT_GE(scheduler->retry_after(), 1s);
    EXPECT_EQ(scheduler->queued(), 2U);
}

TEST_F(run_scheduler_test, cancelling_a_running_run_records_it_cancelled_and_a_queued_one_at_once) {
    start(1);
    submit("running");
    submit("queued");
    ASSERT_TRUE(run_until([&] { return is_held("running"); }));

    EXPECT_EQ(await(scheduler->cancel("queued")), cancel_outcome::cancelled);
    EXPECT_EQ(status_of("queued"), run_status::cancelled);
    EXPECT_EQ(await(scheduler->cancel("running")), cancel_outcome::cancelling);
    ASSERT_TRUE(run_until([&] { return status_of("running") == run_status::cancelled; }));
    EXPECT_EQ(store.find("running")->error->type, core::failure_type::cancelled);
    EXPECT_EQ(await(scheduler->cancel("running")), cancel_outcome::already_finished);
    EXPECT_EQ(await(scheduler->cancel("nobody")), cancel_outcome::not_found);
}

TEST_F(run_scheduler_test, a_drain_lets_running_runs_finish_and_leaves_queued_ones_queued) {
    start(1);
    submit("running");
    submit("waiting");
    ASSERT_TRUE(run_until([&] { return is_held("running"); }));
    bool drained = false;
    scheduler->drain(10min, [&] { drained = true; });
    EXPECT_EQ(await(scheduler->submit({"late", "m", std::nullopt, "{}", std::nullopt, clock_now, std::nullopt})).status,
              submit_status::draining);

    release("running");
    ASSERT_TRUE(run_until([&] { return drained; }));
    EXPECT_EQ(status_of("running"), run_status::succeeded);
    EXPECT_EQ(status_of("waiting"), run_status::queued);
    EXPECT_EQ(started, std::vector<std::string>{"running"});
}

TEST_F(run_scheduler_test, a_drain_that_times_out_hands_the_run_back_to_the_queue) {
    start(1);
    submit("stuck");
    ASSERT_TRUE(run_until([&] { return is_held("stuck"); }));
    bool drained = false;
    scheduler->drain(1ms, [&] { drained = true; });
    ASSERT_TRUE(run_until([&] { return drained; }));
    const auto run = store.find("stuck").value();
    EXPECT_EQ(run.status, run_status::queued);
    EXPECT_FALSE(run.error.has_value());
    EXPECT_FALSE(run.document.has_value()) << "a handed-back run has no result";
}

TEST_F(run_scheduler_test, the_owner_renews_its_lease_so_nobody_recovers_a_long_run) {
    start(1);
    submit("long");
    ASSERT_TRUE(run_until([&] { return is_held("long"); }));
    // Five leases long, the clock moving a third of a lease per renewal period: without the
    // renewals the lease would have run out after the third step.
    for (int i = 0; i < 15; ++i) {
        clock_now += lease / 3;
        io.run_for(lease / 3);
        EXPECT_EQ(store.recover_expired(clock_now, 3).requeued, 0U) << "step " << i;
    }
    release("long");
    ASSERT_TRUE(run_until([&] { return status_of("long") == run_status::succeeded; }));
    EXPECT_EQ(store.find("long")->attempt, 1);
}

TEST_F(run_scheduler_test, a_run_whose_lease_another_process_took_is_stopped_and_its_result_discarded) {
    start(1);
    submit("taken");
    ASSERT_TRUE(run_until([&] { return is_held("taken"); }));
    // This process stalls past its lease; another recovers the run and claims it.
    clock_now += lease * 2;
    ASSERT_EQ(store.recover_expired(clock_now, 3).requeued, 1U);
    const auto other = store.claim_next("other-process", clock_now + 10min, clock_now);
    ASSERT_TRUE(other.has_value());
    ASSERT_EQ(other->attempt, 2);

    ASSERT_TRUE(run_until([&] { return scheduler->running() == 0; }));
    const auto run = store.find("taken").value();
    EXPECT_EQ(run.status, run_status::running) << "still the other process's";
    EXPECT_EQ(run.attempt, 2);
    EXPECT_FALSE(run.document.has_value());
}

TEST_F(run_scheduler_test, a_sweep_waits_out_its_cool_down_between_runs) {
    start(2);
    sweep_submission sweep{"s", "gemma3:latest", std::nullopt, R"({"grid":{"num_ctx":[256]}})", 30s, clock_now, {}};
    sweep.runs = {{"s-0", "baseline", R"({"data_dir":"tiny"})"}, {"s-1", "num_ctx=256", R"({"data_dir":"tiny"})"}};
    ASSERT_EQ(await(scheduler->submit_sweep(sweep)).status, submit_status::accepted);
    ASSERT_TRUE(run_until([&] { return is_held("s-0"); }));
    release("s-0");
    ASSERT_TRUE(run_until([&] { return status_of("s-0") == run_status::succeeded; }));

    clock_now += 29s;  // several lease renewals, each a wake-up of the workers, pass meanwhile
    io.run_for(lease * 3);
    EXPECT_FALSE(is_held("s-1")) << "claimed before the cool-down ended";
    EXPECT_EQ(status_of("s-1"), run_status::queued);

    clock_now += 2s;
    ASSERT_TRUE(run_until([&] { return is_held("s-1"); }));
}

}  // namespace
}  // namespace chimera::service
