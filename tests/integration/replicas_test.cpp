// Several replicas on one PostgreSQL store behind nginx: any replica answers any request, the
// queue is one, and a replica's death or a cancellation through another replica loses nothing.
#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "postgres_server.hpp"
#include "replica_fleet.hpp"
#include "run_event_stream.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const json tiny_run = {{"data_dir", "tiny"}};

/// Runs on `clients` threads at once: `post(i)` for i in [0, count).
template <typename Post>
void in_parallel(std::size_t count, std::size_t clients, Post post) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            for (auto i = next++; i < count; i = next++) post(i);
        });
    }
    for (auto& thread : threads) thread.join();
}

/// Every run of GET /runs, following `next_cursor` page by page.
std::vector<std::string> listed_runs(unsigned short port, std::size_t limit) {
    std::vector<std::string> ids;
    const std::string first = "/runs?limit=" + std::to_string(limit);
    std::string target = first;
    for (;;) {
        const auto reply = http_request(port, "GET", target);
        EXPECT_EQ(reply.status, 200U) << reply.body;
        if (reply.status != 200) return ids;
        const auto page = json::parse(reply.body);
        for (const auto& run : page.at("runs")) ids.push_back(run.at("id").get<std::string>());
        const auto next = page.at("next_cursor");
        if (!next.is_string()) return ids;
        target = first;
        target.append("&cursor=").append(next.get<std::string>());
    }
}

/// Polls GET /runs/{id} until the run executes somewhere; its document.
json wait_running(const replica_fleet& fleet, const std::string& id) {
    const auto reply = poll_until(
        fleet.port(), "/runs/" + id,
        [&](const http_reply& r) {
            if (r.status != 200) return false;
            const auto document = json::parse(r.body);
            return document.at("status") == "running" && fleet.replica_of(document) < fleet.size();
        },
        30s);
    return json::parse(reply.body);
}

std::size_t completed_calls(const json& stats) {
    std::size_t completed = 0;
    for (const auto& request : generate_requests(stats)) {
        if (request.at("completed") && !request.at("client_disconnected")) ++completed;
    }
    return completed;
}

TEST(Replicas, AnyReplicaAnswersEveryRequestOfAThousandRuns) {
    replica_fleet fleet{
        3, {"--tokens", "3", "--tokens-per-second", "5000"}, {"--workers", "4", "--queue-capacity", "2000"}};
    constexpr std::size_t runs = 1000;
    std::vector<std::string> ids(runs);
    std::atomic<std::size_t> refused{0};
    in_parallel(runs, 8, [&](std::size_t i) {
        const auto reply = http_request(fleet.port(), "POST", "/runs", tiny_run.dump());
        if (reply.status != 202) {
            ++refused;
            return;
        }
        ids[i] = json::parse(reply.body).at("id").get<std::string>();
        // Read back at once, through whichever replica the balancer picks next.
        if (http_request(fleet.port(), "GET", "/runs/" + ids[i]).status != 200) ++refused;
    });
    ASSERT_EQ(refused.load(), 0U);

    std::shuffle(ids.begin(), ids.end(), std::mt19937{42});
    std::set<std::size_t> executors;
    std::vector<std::string> errors;
    std::mutex seen;
    in_parallel(runs, 8, [&](std::size_t i) {
        const auto document = fleet.wait_finished(ids[i]);
        const auto report = http_request(fleet.port(), "GET", "/runs/" + ids[i] + "/report");
        const auto deleted = http_request(fleet.port(), "DELETE", "/runs/" + ids[i]);
        const auto events = http_request(fleet.port(), "GET", "/runs/" + ids[i] + "/events");
        const std::lock_guard lock{seen};
        if (document.at("status") != "succeeded") errors.push_back("not succeeded: " + document.dump());
        if (report.status != 200) errors.push_back("report " + std::to_string(report.status) + ": " + report.body);
        if (deleted.status != 409) errors.push_back("DELETE " + std::to_string(deleted.status) + ": " + deleted.body);
        if (events.status != 200 || events.body.find("event: document") == std::string::npos) {
            errors.push_back("events " + std::to_string(events.status) + ": " + events.body);
        }
        executors.insert(fleet.replica_of(document));
    });
    EXPECT_TRUE(errors.empty()) << errors.size() << " errors, the first: " << errors.front();
    EXPECT_EQ(executors.count(fleet.size()), 0U) << "every run names the replica that executed it";
    EXPECT_GE(executors.size(), 2U) << "the replicas share the queue";

    const auto listed = listed_runs(fleet.port(), 100);
    EXPECT_EQ(listed.size(), runs) << "every run listed once, through pages served by different replicas";
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), std::set<std::string>(ids.begin(), ids.end()));
}

TEST(Replicas, OneIdempotencyKeyMakesOneRunThroughEveryReplica) {
    replica_fleet fleet{3, {"--tokens", "3", "--tokens-per-second", "5000"}};
    const std::map<std::string, std::string> key{{"Idempotency-Key", "one-key-for-a-hundred-posts"}};
    constexpr std::size_t posts = 100;
    std::latch together{posts};
    std::vector<http_reply> replies(posts);
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < posts; ++i) {
        clients.emplace_back([&, i] {
            together.arrive_and_wait();
            replies[i] = http_request(fleet.port(), "POST", "/runs", tiny_run.dump(), key);
        });
    }
    for (auto& client : clients) client.join();

    std::set<std::string> ids;
    std::size_t first_answers = 0;
    for (const auto& reply : replies) {
        ASSERT_EQ(reply.status, 202U) << reply.body;
        ids.insert(json::parse(reply.body).at("id").get<std::string>());
        if (!reply.headers.contains("idempotent-replayed")) ++first_answers;
    }
    EXPECT_EQ(ids.size(), 1U);
    EXPECT_EQ(first_answers, 1U) << "one POST created the run; the others replayed it";
    EXPECT_EQ(listed_runs(fleet.port(), 50).size(), 1U);

    const auto other =
        http_request(fleet.port(), "POST", "/runs", json{{"data_dir", "tiny"}, {"label", "other"}}.dump(), key);
    EXPECT_EQ(other.status, 422U) << other.body;
}

TEST(Replicas, ACancelThroughAnotherReplicaClosesTheRunsStream) {
    // 40 s of tokens: only a cancellation ends the call early.
    replica_fleet fleet{3, {"--tokens", "2000", "--tokens-per-second", "50"}};
    const auto id = fleet.submit(tiny_run);
    const auto running = wait_running(fleet, id);
    const auto owner = fleet.replica_of(running);
    poll_until(
        fleet.sim_port(), "/sim/stats",
        [](const http_reply& r) { return !generate_requests(json::parse(r.body)).empty(); }, 20s);

    const auto other = (owner + 1) % fleet.size();
    const auto asked = std::chrono::steady_clock::now();
    const auto reply = http_request(fleet.replica_port(other), "DELETE", "/runs/" + id);
    EXPECT_EQ(reply.status, 202U) << reply.body;
    poll_until(
        fleet.sim_port(), "/sim/stats",
        [](const http_reply& r) { return generate_requests(json::parse(r.body)).front().at("client_disconnected"); },
        20s);
    const auto closed_after = std::chrono::steady_clock::now() - asked;
    // The owner renews its lease every 10 s, where it would see a request it was not told of.
    EXPECT_LT(closed_after, 5s) << "the owner was told at once, not at its next lease renewal";
    RecordProperty("cancel_to_stream_closed_ms",
                   static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(closed_after).count()));

    const auto document = fleet.wait_finished(id);
    EXPECT_EQ(document.at("status"), "cancelled");
    EXPECT_EQ(fleet.replica_of(document), owner);
}

TEST(Replicas, ASubscriberOnOneReplicaFollowsARunExecutingOnAnother) {
    // About a second per call: the subscriber joins during the analysis call.
    replica_fleet fleet{3, {"--tokens", "100", "--tokens-per-second", "100"}};
    const auto id = fleet.submit(tiny_run);
    const auto owner = fleet.replica_of(wait_running(fleet, id));
    const auto watcher = (owner + 1) % fleet.size();
    const auto reply = http_request(fleet.replica_port(watcher), "GET", "/runs/" + id + "/events", {}, {}, 60s);
    ASSERT_EQ(reply.status, 200U) << reply.body;
    const auto events = parse_events(reply.body);
    ASSERT_FALSE(events.empty());
    ASSERT_EQ(events.back().type, "document") << reply.body;
    EXPECT_EQ(events.back().data.at("status"), "succeeded");
    EXPECT_EQ(events.back().data, json::parse(http_request(fleet.replica_port(watcher), "GET", "/runs/" + id).body));

    bool report_stage = false;
    for (const auto& event : events) {
        if (event.type == "status" && event.data.at("stage") == "report") report_stage = true;
    }
    const auto report_text = text_of(events, "report");
    EXPECT_TRUE(report_stage) << "the owner's change of stage reached the other replica";
    ASSERT_FALSE(report_text.empty());
    const auto report = http_request(fleet.port(), "GET", "/runs/" + id + "/report").body;
    EXPECT_NE(report.find(report_text), std::string::npos) << "the streamed report text is the report's body";
}

TEST(Replicas, AKilledReplicasRunsEndExactlyOnceOnAnother) {
    // Two calls of a second each per run; a short lease, so the dead replica's runs are taken over soon.
    replica_fleet fleet{3, {"--tokens", "100", "--tokens-per-second", "100"}, {"--workers", "2", "--lease", "1500ms"}};
    std::vector<std::string> ids;
    for (int i = 0; i < 12; ++i) ids.push_back(fleet.submit(tiny_run));
    std::set<std::string> on_victim;
    poll_until(
        fleet.port(), "/healthz",
        [&](const http_reply&) {
            for (const auto& id : ids) {
                const auto document = json::parse(http_request(fleet.port(), "GET", "/runs/" + id).body);
                if (document.at("status") == "running" && fleet.replica_of(document) == 0) on_victim.insert(id);
            }
            return !on_victim.empty();
        },
        30s);
    ASSERT_FALSE(on_victim.empty());
    fleet.kill_replica(0);

    for (const auto& id : ids) {
        const auto document = fleet.wait_finished(id);
        EXPECT_EQ(document.at("status"), "succeeded") << document.dump();
        if (on_victim.contains(id)) {
            EXPECT_EQ(document.at("attempt"), 2) << "taken over once, after the lease";
            EXPECT_NE(fleet.replica_of(document), 0U);
        }
    }
    EXPECT_EQ(completed_calls(fleet.sim_stats()), 2 * ids.size())
        << "each run's two calls streamed to their end once: no run executed twice";
}

TEST(Replicas, APostgresRestartMidLoadLosesNoRunAndRunsNoneTwice) {
    // A second per call, six runs at once: calls stream across the outage. Counted before the
    // stop, which may take a while on a busy machine: calls in flight when it began must end.
    replica_fleet fleet{3, {"--tokens", "100", "--tokens-per-second", "100"}, {"--workers", "2"}};
    std::vector<std::string> ids;
    for (int i = 0; i < 18; ++i) ids.push_back(fleet.submit(tiny_run));
    wait_running(fleet, ids.front());

    auto& database = test_support::shared_postgres_server();
    const auto completed_at_stop = completed_calls(fleet.sim_stats());
    database.stop();
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const auto ready = poll_until(
            fleet.replica_port(i), "/readyz", [](const http_reply& r) { return r.status == 503; }, 10s);
        EXPECT_EQ(ready.status, 503U) << "replica " << i << " cannot serve the API without its store";
    }
    const auto refused = http_request(fleet.port(), "POST", "/runs", tiny_run.dump());
    EXPECT_EQ(refused.status, 503U) << refused.body;
    EXPECT_TRUE(refused.headers.contains("retry-after"));
    const auto streamed = poll_until(
        fleet.sim_port(), "/sim/stats",
        [&](const http_reply& r) { return completed_calls(json::parse(r.body)) > completed_at_stop; }, 10s);
    EXPECT_GT(completed_calls(json::parse(streamed.body)), completed_at_stop) << "runs kept streaming";
    database.start();

    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const auto ready = poll_until(
            fleet.replica_port(i), "/readyz", [](const http_reply& r) { return r.status == 200; }, 20s);
        EXPECT_EQ(ready.status, 200U) << "replica " << i << " ready again";
    }
    for (const auto& id : ids) {
        const auto document = fleet.wait_finished(id);
        EXPECT_EQ(document.at("status"), "succeeded") << document.dump();
        EXPECT_EQ(document.at("attempt"), 1) << "no lease ran out: nobody took a run over";
    }
    EXPECT_EQ(completed_calls(fleet.sim_stats()), 2 * ids.size()) << "every call streamed once: no run ran twice";
}

TEST(Replicas, ARollingRestartUnderSteadyPostsLosesNoRun) {
    // Runs of about 0.1 s, 20 submitted a second (six workers keep up); a drain of 1 s lets most
    // finish and hands the rest back.
    replica_fleet fleet{
        3, {"--tokens", "10", "--tokens-per-second", "200"}, {"--workers", "2", "--drain-timeout", "1s"}};
    std::atomic<bool> posting{true};
    std::vector<std::string> accepted;
    std::vector<http_reply> refusals;
    std::thread client{[&] {
        while (posting) {
            auto reply = http_request(fleet.port(), "POST", "/runs", tiny_run.dump());
            if (reply.status == 202) {
                accepted.push_back(json::parse(reply.body).at("id").get<std::string>());
            } else {
                refusals.push_back(std::move(reply));
            }
            std::this_thread::sleep_for(50ms);  // the load's pace, not a wait for anything
        }
    }};
    for (std::size_t i = 0; i < fleet.size(); ++i) fleet.replace_replica(i);
    posting = false;
    client.join();

    for (const auto& refusal : refusals) {
        EXPECT_EQ(refusal.status, 503U) << refusal.body;
        EXPECT_TRUE(refusal.headers.contains("retry-after")) << refusal.body;
    }
    ASSERT_GT(accepted.size(), 10U);
    for (const auto& id : accepted) {
        EXPECT_EQ(fleet.wait_finished(id).at("status"), "succeeded") << id;
    }
    RecordProperty("runs_accepted", static_cast<int>(accepted.size()));
    RecordProperty("posts_refused_503", static_cast<int>(refusals.size()));
}

TEST(Replicas, SweepsSubmittedThroughDifferentReplicasNeverOverlapAnyRun) {
    replica_fleet fleet{3, {"--tokens", "20", "--tokens-per-second", "400"}, {"--workers", "4"}};
    const json sweep = {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {256, 512}}}}, {"repetitions", 1}};
    std::vector<std::string> sweeps;
    std::vector<std::string> ordinary;
    for (std::size_t replica = 0; replica < 2; ++replica) {
        const auto reply = http_request(fleet.replica_port(replica), "POST", "/sweeps", sweep.dump());
        ASSERT_EQ(reply.status, 202U) << reply.body;
        sweeps.push_back(json::parse(reply.body).at("id").get<std::string>());
        for (int i = 0; i < 3; ++i) ordinary.push_back(fleet.submit(tiny_run));
    }
    std::vector<json> sweep_runs;
    for (const auto& id : sweeps) {
        const auto done = poll_until(
            fleet.port(), "/sweeps/" + id,
            [](const http_reply& r) { return json::parse(r.body).value("status", "") == "succeeded"; }, 90s);
        ASSERT_EQ(json::parse(done.body).at("status"), "succeeded") << done.body;
        const auto page = json::parse(http_request(fleet.port(), "GET", "/runs?limit=100&label=sweep:" + id).body);
        for (const auto& run : page.at("runs"))
            sweep_runs.push_back(fleet.wait_finished(run.at("id").get<std::string>()));
    }
    std::vector<json> others;
    for (const auto& id : ordinary) others.push_back(fleet.wait_finished(id));
    ASSERT_EQ(sweep_runs.size(), 6U);
    std::set<std::size_t> executors;
    for (std::size_t i = 0; i < sweep_runs.size(); ++i) {
        executors.insert(fleet.replica_of(sweep_runs[i]));
        for (std::size_t j = i + 1; j < sweep_runs.size(); ++j) {
            EXPECT_FALSE(runs_overlap(sweep_runs[i], sweep_runs[j])) << i << ", " << j;
        }
        for (const auto& other : others) EXPECT_FALSE(runs_overlap(sweep_runs[i], other)) << other.at("id");
    }
    EXPECT_EQ(executors.count(fleet.size()), 0U);
}

}  // namespace
}  // namespace chimera::testing
