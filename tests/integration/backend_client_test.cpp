// The Ollama client under faults, end to end: pooling, timeouts, retries and
// cancellation, each against a real ollama-sim process.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::set<std::int64_t> generate_connection_ids(const json& stats) {
    std::set<std::int64_t> ids;
    for (const auto& request : generate_requests(stats)) {
        ids.insert(request.at("connection_id").get<std::int64_t>());
    }
    return ids;
}

TEST(BackendClient, HundredRunsInSequenceReuseThePool) {
    service_stack s{{"--tokens", "3", "--tokens-per-second", "5000", "--prompt-tokens-per-second", "1000000"},
                    {"--backend-pool-size", "2", "--workers", "1"}};
    for (int i = 0; i < 100; ++i) {
        const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
        ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    }
    const auto stats = s.sim_stats();
    EXPECT_EQ(generate_requests(stats).size(), 200U);
    EXPECT_LE(generate_connection_ids(stats).size(), 2U);
    EXPECT_LE(metric_value(s.metrics(), "chimera_backend_connections_opened_total"), 2.0);
}

// `chimera run` checks its backend while it reads its files, over the connection its calls then
// stream on: the run document names the engine's version, and the engine saw one connection.
TEST(BackendClient, ChimeraRunChecksItsBackendOverTheConnectionItsCallsStreamOn) {
    child_process sim{{CHIMERA_SIM_BIN, "--listen", "127.0.0.1:0", "--tokens", "5"}};
    const auto sim_port = read_listening_port(sim);
    const temp_dir work;
    child_process run{
        {test_support::chimera_binary(), "run", "--ollama-url", "http://127.0.0.1:" + std::to_string(sim_port),
         "--data-dir", std::string{CHIMERA_TEST_DATA_DIR} + "/tr109", "--output-dir", (work.path() / "out").string()},
        work.path() / "stderr.txt"};
    ASSERT_EQ(run.wait_for_exit(60s), 0);
    const auto stats = json::parse(http_request(sim_port, "GET", "/sim/stats").body);
    EXPECT_EQ(stats.at("connections_accepted"), 2) << "chimera's, and the one that asked for these stats";
    EXPECT_EQ(generate_connection_ids(stats).size(), 1U);

    std::ifstream document_file{work.path() / "out" / "run_1" / "run.json"};
    const auto document = json::parse(document_file);
    EXPECT_EQ(document.at("status"), "succeeded");
    const auto version = json::parse(http_request(sim_port, "GET", "/api/version").body).at("version");
    EXPECT_EQ(document.at("engine"), (json{{"backend", "default"}, {"kind", "ollama"}, {"version", version}}));
}

TEST(BackendClient, ConnectionClosedWhileIdleIsReplacedWithoutFailingTheCall) {
    service_stack s{{"--tokens", "3"}};
    ASSERT_EQ(s.wait_finished(s.submit({{"data_dir", "tr109"}})).at("status"), "succeeded");
    const auto dropped = json::parse(http_request(s.sim_port, "POST", "/sim/drop-idle").body);
    ASSERT_GE(dropped.at("dropped").get<int>(), 1) << "the run's pooled connection was idle";
    const auto second = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    ASSERT_EQ(second.at("status"), "succeeded") << second.dump();
    EXPECT_EQ(second.at("calls")[0].at("attempts"), 1) << "a stale pooled connection is not a failed attempt";
}

TEST(BackendClient, HeadersTimeoutFailsTheRunNamingIt) {
    service_stack s{{"--load-ms", "3000"}, {"--headers-timeout", "200ms"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    EXPECT_EQ(run.at("status"), "failed");
    EXPECT_EQ(run.at("error").at("type"), "timeout");
    EXPECT_NE(run.at("error").at("detail").get<std::string>().find("headers-timeout"), std::string::npos);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
}

TEST(BackendClient, IdleTimeoutFiresOnAStallBetweenTokens) {
    service_stack s{{"--tokens", "10", "--fault-stall-after", "3", "--fault-stall-ms", "3000"},
                    {"--idle-timeout", "200ms"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    EXPECT_EQ(run.at("status"), "failed");
    EXPECT_NE(run.at("error").at("detail").get<std::string>().find("idle-timeout"), std::string::npos);
}

TEST(BackendClient, CallTimeoutBoundsTheWholeCall) {
    service_stack s{{"--tokens", "200", "--tokens-per-second", "50"}, {"--call-timeout", "400ms"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    EXPECT_EQ(run.at("status"), "failed");
    EXPECT_NE(run.at("error").at("detail").get<std::string>().find("call-timeout"), std::string::npos);
}

/// A listener whose accept queue is full: further SYNs are dropped, so connects hang.
struct saturated_listener {
    int fd = -1;
    int filler = -1;
    unsigned short port = 0;

    saturated_listener() {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        listen(fd, 0);
        socklen_t length = sizeof address;
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        port = ntohs(address.sin_port);
        filler = socket(AF_INET, SOCK_STREAM, 0);
        connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);  // takes the only slot
    }
    ~saturated_listener() {
        close(filler);
        close(fd);
    }
    saturated_listener(const saturated_listener&) = delete;
    saturated_listener& operator=(const saturated_listener&) = delete;
};

TEST(BackendClient, ConnectTimeoutIsRetriedThenFailsNamingIt) {
    saturated_listener blackhole;
    temp_dir state;
    child_process service{{test_support::chimera_binary(), "serve", "--listen", "127.0.0.1:0", "--ollama-url",
                           "http://127.0.0.1:" + std::to_string(blackhole.port), "--data-root", CHIMERA_TEST_DATA_DIR,
                           "--state-dir", state.path().string(), "--connect-timeout", "150ms", "--max-call-attempts",
                           "2"}};
    const auto port = read_listening_port(service);
    const auto submitted = http_request(port, "POST", "/runs", R"({"data_dir":"tr109"})");
    ASSERT_EQ(submitted.status, 202U);
    const auto id = json::parse(submitted.body).at("id").get<std::string>();
    const auto run = json::parse(
        poll_until(
            port, "/runs/" + id, [](const http_reply& r) { return json::parse(r.body).at("status") == "failed"; }, 20s)
            .body);
    const auto detail = run.at("error").at("detail").get<std::string>();
    EXPECT_NE(detail.find("connect-timeout"), std::string::npos) << detail;
    EXPECT_NE(detail.find("after 2 attempts"), std::string::npos) << detail;
}

TEST(BackendClient, BusyBackendIsRetriedWithBackoff) {
    service_stack s{{"--tokens", "3", "--fault-busy-first", "2"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("calls")[0].at("attempts"), 3);
    EXPECT_EQ(run.at("calls")[1].at("attempts"), 1);
    EXPECT_EQ(metric_value(s.metrics(), "chimera_llm_retries_total"), 2.0);
}

TEST(BackendClient, ResetBeforeTheFirstByteIsRetried) {
    // The first reset hits the connection the readiness probe left in the pool: a pooled
    // connection dying before any byte is replaced silently, not counted. The second
    // reset hits a fresh connection: that is a failed attempt, retried.
    service_stack s{{"--tokens", "3", "--fault-reset-first", "2"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("calls")[0].at("attempts"), 2);
    EXPECT_EQ(generate_requests(s.sim_stats()).size(), 4U);
}

TEST(BackendClient, ClientErrorsAreNeverRetried) {
    service_stack s{{}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}, {"model", "missing:1b"}}));
    EXPECT_EQ(run.at("status"), "failed");
    EXPECT_EQ(generate_requests(s.sim_stats()).size(), 1U);
}

TEST(BackendClient, FailureAfterTokensStreamedIsNotRestarted) {
    service_stack s{{"--tokens", "10", "--fault-truncate-after", "4"}};
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    EXPECT_EQ(run.at("status"), "failed");
    EXPECT_EQ(run.at("error").at("type"), "stream_truncated");
    EXPECT_EQ(generate_requests(s.sim_stats()).size(), 1U);
}

TEST(BackendClient, CancellingARunningRunDisconnectsTheBackendAtOnce) {
    service_stack s{{"--tokens", "1000", "--tokens-per-second", "20"}};
    const auto id = s.submit({{"data_dir", "tr109"}});
    poll_until(
        s.sim_port, "/sim/stats", [](const http_reply& r) { return !generate_requests(json::parse(r.body)).empty(); },
        20s);
    const auto cancel_sent = std::chrono::steady_clock::now();
    const auto cancelled = http_request(s.port, "DELETE", "/runs/" + id);
    EXPECT_EQ(cancelled.status, 202U) << cancelled.body;
    poll_until(
        s.sim_port, "/sim/stats",
        [](const http_reply& r) {
            return generate_requests(json::parse(r.body)).at(0).at("client_disconnected").get<bool>();
        },
        5s);
    EXPECT_LT(std::chrono::steady_clock::now() - cancel_sent, 1s) << "the simulator saw the disconnect within 1 s";
    const auto run = s.wait_finished(id);
    EXPECT_EQ(run.at("status"), "cancelled");
    EXPECT_EQ(http_request(s.port, "DELETE", "/runs/" + id).status, 409U) << "an ended run can't be cancelled";
}

TEST(BackendClient, CancellingAQueuedRunMeansItNeverStarts) {
    service_stack s{{"--load-ms", "60000"}, {"--workers", "1"}};
    s.submit({{"data_dir", "tr109"}});  // occupies the only worker
    const auto queued = s.submit({{"data_dir", "tr109"}});
    const auto reply = http_request(s.port, "DELETE", "/runs/" + queued);
    ASSERT_EQ(reply.status, 200U) << reply.body;
    EXPECT_EQ(json::parse(reply.body).at("status"), "cancelled");
    EXPECT_EQ(json::parse(http_request(s.port, "GET", "/runs/" + queued).body).at("status"), "cancelled");
    EXPECT_EQ(http_request(s.port, "DELETE", "/runs/00000000-0000-4000-8000-000000000000").status, 404U);
}

TEST(BackendClient, ShutdownPastTheDrainTimeoutCancelsRunningRunsTheSameWay) {
    service_stack s{{"--tokens", "1000", "--tokens-per-second", "20"}, {"--drain-timeout", "50ms"}};
    s.submit({{"data_dir", "tr109"}});
    poll_until(
        s.sim_port, "/sim/stats", [](const http_reply& r) { return !generate_requests(json::parse(r.body)).empty(); },
        20s);
    EXPECT_EQ(s.service.terminate(), 0) << "SIGTERM ends the service cleanly, running run and all";
    const auto request = generate_requests(s.sim_stats()).at(0);
    EXPECT_TRUE(request.at("client_disconnected").get<bool>());
    EXPECT_FALSE(request.at("completed").get<bool>());
}

TEST(BackendClient, ReadyzAnswersAtOnceAndReportsTheHangingBackendWithoutTurningNotReady) {
    saturated_listener blackhole;
    temp_dir state;
    child_process service{{test_support::chimera_binary(), "serve", "--listen", "127.0.0.1:0", "--ollama-url",
                           "http://127.0.0.1:" + std::to_string(blackhole.port), "--data-root", CHIMERA_TEST_DATA_DIR,
                           "--state-dir", state.path().string(), "--connect-timeout", "30s"}};
    const auto port = read_listening_port(service);
    const auto reply = http_request(port, "GET", "/readyz", {}, {}, 2s);
    // Every replica shares the backend: its outage is not this pod's readiness (issue 16, item 8).
    EXPECT_EQ(reply.status, 200U) << reply.body;
    const auto backend = json::parse(reply.body).at("backend");
    EXPECT_FALSE(backend.at("up").get<bool>()) << "the probe is still hanging on connect — and said at once";
    EXPECT_FALSE(backend.at("detail").get<std::string>().empty());
    EXPECT_EQ(http_request(port, "GET", "/healthz", {}, {}, 2s).status, 200U);
}

TEST(BackendClient, PreloadModelWarmsTheBackendBeforeTheFirstRun) {
    service_stack s{{"--tokens", "3", "--load-ms", "300"}, {"--preload-model", "gemma3:latest"}};
    poll_until(
        s.sim_port, "/sim/stats",
        [](const http_reply& r) {
            const auto requests = generate_requests(json::parse(r.body));
            return !requests.empty() && requests.at(0).at("completed").get<bool>();
        },
        20s);
    const auto run = s.wait_finished(s.submit({{"data_dir", "tr109"}}));
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_LT(run.at("calls")[0].at("load_ms").get<double>(), 100.0) << "the model was loaded by the preload";
    EXPECT_EQ(generate_requests(s.sim_stats()).at(0).at("prompt_tokens"), 0) << "first request was load-only";
}

}  // namespace
}  // namespace chimera::testing
