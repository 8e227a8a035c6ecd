// The run lifecycle across process deaths: runs committed before 202 survive kill -9,
// come back in order, and complete exactly once; Idempotency-Key; GET /runs; drain.
#include <signal.h>

#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// An ollama-sim started on its own, for tests that restart the service around it.
struct simulator {
    child_process process;
    unsigned short port;

    explicit simulator(const std::vector<std::string>& flags)
        : process(sim_argv(flags)), port(read_listening_port(process)) {}

    [[nodiscard]] std::size_t generate_calls() const {
        return generate_requests(json::parse(http_request(port, "GET", "/sim/stats").body)).size();
    }
};

/// `chimera serve` on a given state directory, ready when constructed.
struct service {
    child_process process;
    unsigned short port;

    service(const simulator& backend,
            const std::filesystem::path& state_dir,
            std::vector<std::string> flags = {},
            const std::filesystem::path& log_file = {})
        : process(command(backend, state_dir, std::move(flags)), log_file), port(read_listening_port(process)) {
        poll_until(
            port, "/readyz", [](const http_reply& r) { return r.status == 200; }, 20s);
    }

    static std::vector<std::string> command(const simulator& backend,
                                            const std::filesystem::path& state_dir,
                                            std::vector<std::string> flags) {
        std::vector<std::string> argv{test_support::chimera_binary(),
                                      "serve",
                                      "--listen",
                                      "127.0.0.1:0",
                                      "--ollama-url",
                                      "http://127.0.0.1:" + std::to_string(backend.port),
                                      "--data-root",
                                      CHIMERA_TEST_DATA_DIR,
                                      "--state-dir",
                                      state_dir.string()};
        argv.insert(argv.end(), flags.begin(), flags.end());
        return argv;
    }

    [[nodiscard]] std::string submit(const json& body, const std::map<std::string, std::string>& headers = {}) const {
        const auto reply = http_request(port, "POST", "/runs", body.dump(), headers);
        EXPECT_EQ(reply.status, 202U) << reply.body;
        return json::parse(reply.body).at("id").get<std::string>();
    }

    /// Every run the service lists, following next_cursor to the end.
    [[nodiscard]] std::vector<json> all_runs(const std::string& filter = {}) const {
        std::vector<json> runs;
        std::string target = "/runs?limit=100" + filter;
        for (;;) {
            const auto reply = http_request(port, "GET", target);
            EXPECT_EQ(reply.status, 200U) << reply.body;
            const auto page = json::parse(reply.body);
            for (const auto& run : page.at("runs")) runs.push_back(run);
            if (page.at("next_cursor").is_null()) return runs;
            target = "/runs?limit=100" + filter + "&cursor=" + page.at("next_cursor").get<std::string>();
        }
    }

    void kill_hard() {
        ::kill(process.pid(), SIGKILL);
        process.terminate();  // reaps it
    }
};

void wait_for_status_count(const service& s,
                           const std::string& status,
                           std::size_t count,
                           std::chrono::seconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    std::size_t seen = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        seen = s.all_runs("&status=" + status).size();
        if (seen == count) return;
        std::this_thread::sleep_for(20ms);  // polling interval; the count decides
    }
    FAIL() << "expected " << count << " runs " << status << ", saw " << seen;
}

TEST(DurableRuns, KillNineWith200QueuedAnd4RunningLosesNothingAndCompletesEachOnce) {
    temp_dir state;
    std::vector<std::string> submitted;
    {
        // Calls never finish on this backend: the 4 workers hold 4 runs, 200 wait.
        simulator stuck{{"--load-ms", "600000"}};
        service first{stuck, state.path(), {"--workers", "4"}};
        for (int i = 0; i < 204; ++i) {
            submitted.push_back(first.submit({{"data_dir", "tiny"}, {"label", "crash"}}));
        }
        wait_for_status_count(first, "running", 4, 30s);
        EXPECT_EQ(first.all_runs("&status=queued").size(), 200U);
        first.kill_hard();
    }
    simulator fast{{"--tokens", "5", "--tokens-per-second", "100000"}};
    service second{fast, state.path(), {"--workers", "4"}};
    wait_for_status_count(second, "succeeded", 204, 90s);

    const auto runs = second.all_runs("&label=crash");
    ASSERT_EQ(runs.size(), 204U);
    std::set<std::string> ids;
    std::size_t retaken = 0;
    for (const auto& run : runs) {
        ids.insert(run.at("id").get<std::string>());
        EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
        retaken += run.at("attempt") == 2 ? 1 : 0;
    }
    EXPECT_EQ(ids, std::set<std::string>(submitted.begin(), submitted.end()));
    EXPECT_EQ(retaken, 4U) << "the 4 runs that were running are executed again, as attempt 2";
    // Each run executed once after the restart: an analysis and a report call, no more.
    EXPECT_EQ(fast.generate_calls(), 2U * 204U);
    const auto metrics = http_request(second.port, "GET", "/metrics").body;
    EXPECT_EQ(metric_value(metrics, "chimera_runs_recovered_total"), 4.0);
    EXPECT_EQ(metric_value(metrics, "chimera_runs_total", {R"(status="succeeded")"}), 204.0);
}

// An arrival or an ending wakes one idle worker, which passes the wake-up on when it got a
// run: a burst must still put every worker to use, and so must the end of a sweep's run,
// which alone makes every run queued behind it claimable.
TEST(DurableRuns, EveryIdleWorkerTakesARunWhenManyBecomeClaimableAtOnce) {
    temp_dir state;
    simulator stuck{{"--load-ms", "600000"}};
    service s{stuck, state.path(), {"--workers", "32"}};
    for (int i = 0; i < 32; ++i) static_cast<void>(s.submit({{"data_dir", "tiny"}, {"label", "burst"}}));
    wait_for_status_count(s, "running", 32, 30s);
    for (const auto& run : s.all_runs("&label=burst")) {
        EXPECT_EQ(http_request(s.port, "DELETE", "/runs/" + run.at("id").get<std::string>()).status, 202U);
    }
    wait_for_status_count(s, "cancelled", 32, 30s);

    const auto sweep = http_request(s.port, "POST", "/sweeps", R"({"data_dir":"tiny","grid":{"num_ctx":[256,512]}})");
    ASSERT_EQ(sweep.status, 202U) << sweep.body;
    wait_for_status_count(s, "running", 1, 30s);
    for (int i = 0; i < 32; ++i) static_cast<void>(s.submit({{"data_dir", "tiny"}, {"label", "behind"}}));
    EXPECT_EQ(s.all_runs("&status=running").size(), 1U) << "a sweep's run runs alone";
    const auto sweep_id = json::parse(sweep.body).at("id").get<std::string>();
    EXPECT_EQ(http_request(s.port, "DELETE", "/sweeps/" + sweep_id).status, 202U);
    wait_for_status_count(s, "running", 32, 30s);
    EXPECT_EQ(s.all_runs("&status=queued").size(), 0U);
}

TEST(DurableRuns, ARunKilledAtItsLastAttemptFailsWithAReason) {
    temp_dir state;
    simulator stuck{{"--load-ms", "600000"}};
    std::string id;
    {
        service first{stuck, state.path(), {"--workers", "1", "--max-attempts", "1"}};
        id = first.submit({{"data_dir", "tiny"}});
        wait_for_status_count(first, "running", 1, 30s);
        first.kill_hard();
    }
    service second{stuck, state.path(), {"--workers", "1", "--max-attempts", "1", "--drain-timeout", "50ms"}};
    const auto document = json::parse(http_request(second.port, "GET", "/runs/" + id).body);
    EXPECT_EQ(document.at("status"), "failed");
    EXPECT_EQ(document.at("error").at("type"), "attempts_exhausted");
    EXPECT_EQ(document.at("attempt"), 1);
}

TEST(DurableRuns, HundredConcurrentPostsWithOneIdempotencyKeyMakeOneRun) {
    service_stack s{{"--tokens", "5"}};
    const std::string body = R"({"data_dir":"tiny","label":"idempotent"})";
    std::vector<std::future<http_reply>> replies;
    for (int i = 0; i < 100; ++i) {
        replies.push_back(std::async(std::launch::async, [&] {
            return http_request(s.port, "POST", "/runs", body, {{"Idempotency-Key", "order-7"}});
        }));
    }
    std::set<std::string> ids;
    std::size_t replayed = 0;
    for (auto& reply : replies) {
        const auto r = reply.get();
        ASSERT_EQ(r.status, 202U) << r.body;
        ids.insert(json::parse(r.body).at("id").get<std::string>());
        replayed += r.headers.contains("idempotent-replayed") ? 1 : 0;
    }
    EXPECT_EQ(ids.size(), 1U);
    EXPECT_EQ(replayed, 99U);
    const auto listed = json::parse(http_request(s.port, "GET", "/runs?label=idempotent").body);
    EXPECT_EQ(listed.at("runs").size(), 1U);

    const auto other =
        http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})", {{"Idempotency-Key", "order-7"}});
    EXPECT_EQ(other.status, 422U) << other.body;
    EXPECT_EQ(json::parse(other.body).at("field"), "Idempotency-Key");
    const auto bad_key = http_request(s.port, "POST", "/runs", body, {{"Idempotency-Key", std::string(300, 'k')}});
    EXPECT_EQ(bad_key.status, 400U);
}

TEST(DurableRuns, ListFiltersAndPagesNewestFirst) {
    service_stack s{{"--tokens", "5"}};
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(s.submit({{"data_dir", "tiny"}, {"label", "page"}}));
    const auto failed = s.submit({{"data_dir", "empty"}, {"label", "page"}});
    for (const auto& id : ids) EXPECT_EQ(s.wait_finished(id).at("status"), "succeeded");
    EXPECT_EQ(s.wait_finished(failed).at("status"), "failed");

    const auto first = json::parse(http_request(s.port, "GET", "/runs?label=page&limit=4").body);
    ASSERT_EQ(first.at("runs").size(), 4U);
    EXPECT_EQ(first.at("runs")[0].at("id"), failed);
    const auto second = json::parse(
        http_request(s.port, "GET", "/runs?label=page&limit=4&cursor=" + first.at("next_cursor").get<std::string>())
            .body);
    ASSERT_EQ(second.at("runs").size(), 2U);
    EXPECT_TRUE(second.at("next_cursor").is_null());
    EXPECT_EQ(second.at("runs")[1].at("id"), ids.front());

    const auto failures = json::parse(http_request(s.port, "GET", "/runs?label=page&status=failed").body);
    ASSERT_EQ(failures.at("runs").size(), 1U);
    EXPECT_EQ(failures.at("runs")[0].at("id"), failed);
    EXPECT_EQ(failures.at("runs")[0].at("error").at("type"), "no_benchmark_files");

    const auto bad = http_request(s.port, "GET", "/runs?status=finished");
    EXPECT_EQ(bad.status, 400U);
    EXPECT_EQ(json::parse(bad.body).at("field"), "status");
}

TEST(DurableRuns, SigtermDrainsRunningRunsAndKeepsQueuedOnes) {
    temp_dir state;
    // ~1 s per call: long enough to observe the drain, short enough to finish within it.
    simulator slow{{"--tokens", "50", "--tokens-per-second", "50"}};
    std::string running;
    std::string waiting;
    {
        service first{slow, state.path(), {"--workers", "1", "--drain-timeout", "30s"}};
        running = first.submit({{"data_dir", "tiny"}});
        waiting = first.submit({{"data_dir", "tiny"}});
        wait_for_status_count(first, "running", 1, 30s);
        ::kill(first.process.pid(), SIGTERM);
        poll_until(
            first.port, "/readyz", [](const http_reply& r) { return r.status == 503; }, 10s);
        const auto refused = http_request(first.port, "POST", "/runs", R"({"data_dir":"tiny"})");
        EXPECT_EQ(refused.status, 503U) << refused.body;
        // No second signal: that would cut the drain short.
        EXPECT_EQ(first.process.wait_for_exit(30s), 0);
    }
    simulator stuck{{"--load-ms", "600000"}};
    service second{stuck, state.path(), {"--workers", "1", "--drain-timeout", "50ms"}};
    const auto finished = json::parse(http_request(second.port, "GET", "/runs/" + running).body);
    EXPECT_EQ(finished.at("status"), "succeeded") << finished.dump();
    EXPECT_EQ(finished.at("attempt"), 1);
    const auto kept = json::parse(http_request(second.port, "GET", "/runs/" + waiting).body);
    EXPECT_NE(kept.at("status"), "succeeded");
    EXPECT_NE(kept.at("status"), "failed");
}

TEST(DurableRuns, ADrainDoesNotUseUpAnAttempt) {
    // --max-attempts 2: a drain hands the run back, then a process dies with it. Only one of
    // those two stops used up an attempt, so the third process runs it to the end.
    temp_dir state;
    simulator stuck{{"--load-ms", "600000"}};
    const std::vector<std::string> flags{"--workers", "1", "--max-attempts", "2", "--drain-timeout", "200ms"};
    std::string id;
    {
        service drained{stuck, state.path(), flags, state.path() / "drained.log"};
        id = drained.submit({{"data_dir", "tiny"}});
        wait_for_status_count(drained, "running", 1, 30s);
        EXPECT_EQ(drained.process.terminate(), 0);
    }
    const auto log = test_support::read_text(state.path() / "drained.log");
    EXPECT_NE(log.find("handed back to the queue by the drain"), std::string::npos) << log;
    EXPECT_EQ(log.find("run cancelled"), std::string::npos) << log;
    {
        service crashed{stuck, state.path(), flags};
        wait_for_status_count(crashed, "running", 1, 30s);
        crashed.kill_hard();
    }
    simulator fast{{"--tokens", "5"}};
    service third{fast, state.path(), flags};
    const auto reply = poll_until(
        third.port, "/runs/" + id,
        [](const http_reply& r) {
            return json::parse(r.body).at("status") != "queued" && json::parse(r.body).at("status") != "running";
        },
        30s);
    const auto run = json::parse(reply.body);
    EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("attempt"), 3);
    EXPECT_EQ(run.at("handed_back"), 1);
}

TEST(DurableRuns, ASecondSignalCutsTheDrainShortAndHandsRunsBack) {
    temp_dir state;
    simulator stuck{{"--load-ms", "600000"}};
    std::string id;
    {
        service first{stuck, state.path(), {"--workers", "1", "--drain-timeout", "10m"}};
        id = first.submit({{"data_dir", "tiny"}});
        wait_for_status_count(first, "running", 1, 30s);
        ::kill(first.process.pid(), SIGTERM);
        poll_until(
            first.port, "/readyz", [](const http_reply& r) { return r.status == 503; }, 10s);
        // The second SIGTERM: without it the drain would wait ten minutes for the stuck run.
        EXPECT_EQ(first.process.terminate(), 0) << "the process did not exit within 5 s of the second signal";
    }
    simulator fast{{"--tokens", "5"}};
    service second{fast, state.path(), {"--workers", "1"}};
    const auto reply = poll_until(
        second.port, "/runs/" + id, [](const http_reply& r) { return json::parse(r.body).at("status") == "succeeded"; },
        30s);
    EXPECT_EQ(json::parse(reply.body).at("handed_back"), 1);
}

TEST(DurableRuns, ARunStillRunningAtTheDrainTimeoutGoesBackToTheQueue) {
    temp_dir state;
    simulator stuck{{"--load-ms", "600000"}};
    std::string id;
    {
        service first{stuck, state.path(), {"--workers", "1", "--drain-timeout", "200ms"}};
        id = first.submit({{"data_dir", "tiny"}});
        wait_for_status_count(first, "running", 1, 30s);
        EXPECT_EQ(first.process.terminate(), 0);
    }
    simulator fast{{"--tokens", "5"}};
    service second{fast, state.path(), {"--workers", "1"}};
    const auto reply = poll_until(
        second.port, "/runs/" + id, [](const http_reply& r) { return json::parse(r.body).at("status") == "succeeded"; },
        30s);
    EXPECT_EQ(json::parse(reply.body).at("attempt"), 2);
}

}  // namespace
}  // namespace chimera::testing
