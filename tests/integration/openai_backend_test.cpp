// chimera against an OpenAI-compatible backend (issue 18 item 3): ollama-sim as llama.cpp's
// llama-server and as vLLM, each named with --backend NAME=URL,kind=openai, end to end through
// `chimera serve` and `chimera run`: the chat completions wire, one keep-alive connection per run,
// how each call's tokens/s was obtained, and every fault mode as the typed failure it must be.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_binaries.hpp"
#include "service_stack.hpp"
#include "temp_dir.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int engine_tokens = 6;
constexpr const char* chat_path = "/v1/chat/completions";

// 2 ms between tokens: a client-measured decode time needs the first and the last token in
// different reads, which a busy machine's late wake-up at a faster rate does not guarantee.
std::vector<std::string> engine_sim(const std::string& engine) { return engine_sim_flags(engine, engine_tokens, 500); }

/// The backend's name in chimera: its engine's, as an operator would name it.
service_stack engine_stack(const std::string& engine, const std::vector<std::string>& service_flags = {}) {
    return service_stack{engine_sim(engine), service_flags, {}, engine};
}

json run_with_model(const service_stack& s, const std::string& model, const json& options = json::object()) {
    return s.wait_finished(s.submit({{"data_dir", "tr109"}, {"model", model}, {"options", options}}));
}

/// The run failed as `type`, its detail says `detail_part` and never calls the backend Ollama.
void expect_engine_failure(const json& run, const std::string& type, const std::string& detail_part) {
    expect_failed(run, type, detail_part);
    EXPECT_EQ(run.dump().find("Ollama"), std::string::npos) << "an OpenAI-compatible backend is not Ollama";
}

class OpenAiBackend : public ::testing::TestWithParam<std::string> {
protected:
    [[nodiscard]] const std::string& engine() const { return GetParam(); }
    [[nodiscard]] bool reports_timings() const { return engine() == "llamacpp"; }
};

TEST_P(OpenAiBackend, ARunSucceedsWithBothCallsOnOneKeepAliveConnection) {
    const auto s = engine_stack(engine());
    const auto run = run_with_model(s, "m1", {{"temperature", 0.5}, {"seed", 7}, {"num_predict", engine_tokens}});
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    const auto chats = requests_to(s.sim_stats(), chat_path);
    ASSERT_EQ(chats.size(), 2U);
    EXPECT_EQ(chats[0].at("connection_id"), chats[1].at("connection_id")) << "both calls on one connection";
    EXPECT_TRUE(requests_to(s.sim_stats(), "/api/generate").empty());
    ASSERT_EQ(run.at("calls").size(), 2U);
    for (const auto& call : run.at("calls")) {
        EXPECT_EQ(call.at("outcome"), "ok");
        EXPECT_GT(call.at("ttft_ms").get<double>(), 0.0);
        EXPECT_EQ(call.at("tokens_generated"), engine_tokens) << "usage.completion_tokens";
        EXPECT_GT(call.at("prompt_tokens").get<int>(), 0);
        EXPECT_GT(call.at("tokens_per_second").get<double>(), 0.0);
        EXPECT_EQ(call.at("tokens_per_second_source"), reports_timings() ? "engine" : "client") << call.dump();
        EXPECT_EQ(call.at("eval_ms").get<double>() > 0, reports_timings()) << call.dump();
        EXPECT_EQ(call.at("load_ms"), 0.0) << "neither engine reports a load time";
        EXPECT_EQ(call.at("done_reason"), "length") << "max_tokens from num_predict";
    }
}

// The engines have no /api/version: readiness and the models are their /v1/models list.
TEST_P(OpenAiBackend, ReadinessAndModelsComeFromV1Models) {
    const auto s = engine_stack(engine());
    // The models are asked for right after the probe that made the service ready.
    const auto reply = poll_until(
        s.port, "/readyz",
        [](const http_reply& r) { return json::parse(r.body).at("backend").at("models_listed") == 1; }, 10s);
    EXPECT_EQ(reply.status, 200U) << reply.body;
    const auto backend = json::parse(reply.body).at("backend");
    EXPECT_EQ(backend.at("models_listed"), 1);
    ASSERT_EQ(backend.at("backends").size(), 1U);
    const auto& listed = backend.at("backends")[0];
    EXPECT_EQ(listed.at("name"), engine());
    EXPECT_EQ(listed.at("kind"), "openai");
    EXPECT_EQ(listed.at("detail"), "backend " + engine() + " lists 1 model");
    EXPECT_EQ(listed.at("models").size(), 1U);
}

// Sent anyway, the engine would ignore the option and the run measure another configuration.
TEST_P(OpenAiBackend, ARunWithAnOptionTheEngineCannotTakeIsRefused400NamingIt) {
    const auto s = engine_stack(engine());
    const json body = {{"data_dir", "tr109"}, {"model", "m1"}, {"options", {{"num_gpu", 40}, {"temperature", 0.2}}}};
    const auto reply = http_request(s.port, "POST", "/runs", body.dump());
    EXPECT_EQ(reply.status, 400U) << reply.body;
    const auto problem = json::parse(reply.body);
    EXPECT_EQ(problem.at("field"), "options");
    const auto detail = problem.at("detail").get<std::string>();
    EXPECT_NE(detail.find("backend " + engine() + " (openai) cannot take the options num_gpu:"), std::string::npos)
        << detail;
    EXPECT_EQ(detail.find("temperature"), std::string::npos) << "an option it takes is not named";
    EXPECT_EQ(json::parse(http_request(s.port, "GET", "/runs").body).at("runs").size(), 0U) << "nothing queued";
    EXPECT_TRUE(requests_to(s.sim_stats(), chat_path).empty());
}

// `,api=completions`: the text completions route, for base models without a chat template.
TEST_P(OpenAiBackend, ABackendOnTheCompletionsRouteRunsBothCallsThere) {
    const service_stack s{engine_sim(engine()), {}, {}, engine() + ",api=completions"};
    const auto run = run_with_model(s, "m1", {{"num_predict", engine_tokens}});
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    const auto completions = requests_to(s.sim_stats(), "/v1/completions");
    ASSERT_EQ(completions.size(), 2U);
    EXPECT_TRUE(requests_to(s.sim_stats(), chat_path).empty());
    EXPECT_EQ(completions[0].at("connection_id"), completions[1].at("connection_id")) << "one keep-alive connection";
    for (const auto& call : run.at("calls")) {
        EXPECT_EQ(call.at("backend"), engine());
        EXPECT_GT(call.at("ttft_ms").get<double>(), 0.0);
        EXPECT_EQ(call.at("tokens_generated"), engine_tokens) << "usage.completion_tokens";
        EXPECT_EQ(call.at("tokens_per_second_source"), reports_timings() ? "engine" : "client") << call.dump();
    }
}

TEST_P(OpenAiBackend, MidStreamErrorIsABackendErrorNamingTheBackend) {
    const auto s = engine_stack(engine());
    const auto run = run_with_model(s, "fault/midstream-error-after=3");
    expect_engine_failure(run, "backend_error",
                          "backend " + engine() + " reported an error mid-stream: simulated fault");
    EXPECT_EQ(run.at("calls")[0].at("outcome"), "midstream_error");
    EXPECT_EQ(requests_to(s.sim_stats(), chat_path).size(), 1U) << "never a retry after tokens streamed";
}

TEST_P(OpenAiBackend, AStreamClosedWithoutDoneIsTruncated) {
    const auto s = engine_stack(engine());
    expect_engine_failure(run_with_model(s, "fault/truncate-after=3"), "stream_truncated",
                          "the backend " + engine() + " stream broke off before data: [DONE]");
}

TEST_P(OpenAiBackend, AGarbageDataLineIsAProtocolError) {
    const auto s = engine_stack(engine());
    expect_engine_failure(run_with_model(s, "fault/garbage-line-after=2"), "backend_protocol_error",
                          "an event that is not a chat completion chunk");
}

TEST_P(OpenAiBackend, AnErrorStatusCarriesTheEnginesMessage) {
    const auto s = engine_stack(engine());
    expect_engine_failure(run_with_model(s, "fault/status=400"), "backend_error",
                          "backend " + engine() + " answered HTTP 400: simulated fault");
}

// `,auth-file=FILE` against an engine started with --api-key: the token goes with every call and
// probe; without it the engine's own refusal is the run's reason, and /readyz says it where the
// engine guards its model list (vLLM; llama-server leaves it open).
TEST_P(OpenAiBackend, TheAuthFilesTokenGoesWithEveryRequestAndWithoutItTheEnginesRefusalIsTheReason) {
    const temp_dir secrets;
    const auto token_file = secrets.path() / "token";
    std::ofstream{token_file} << "s3cret-key\n";
    auto sim_flags = engine_sim(engine());
    sim_flags.insert(sim_flags.end(), {"--api-key", "s3cret-key"});

    const service_stack with_key{sim_flags, {}, {}, engine() + ",auth-file=" + token_file.string()};
    const auto run = run_with_model(with_key, "m1");
    EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(with_key.sim_stats().at("requests_unauthorized"), 0) << "the probe and both calls brought the key";
    const auto ready = json::parse(http_request(with_key.port, "GET", "/readyz").body);
    EXPECT_TRUE(ready.at("backend").at("up").get<bool>()) << ready.dump();

    const service_stack without_key{sim_flags, {}, {}, engine()};
    const auto refused = run_with_model(without_key, "m1");
    const std::string engine_words = engine() == "llamacpp" ? "Invalid API Key" : "Unauthorized";
    expect_engine_failure(refused, "backend_error", "backend " + engine() + " answered HTTP 401: " + engine_words);
    EXPECT_GE(without_key.sim_stats().at("requests_unauthorized").get<int>(), 1);
    EXPECT_TRUE(requests_to(without_key.sim_stats(), chat_path).empty()) << "refused before any generation";
    if (engine() == "vllm") {
        const auto reply = poll_until(
            without_key.port, "/readyz",
            [](const http_reply& r) {
                return json::parse(r.body).at("backend").at("detail").get<std::string>().find("401") !=
                       std::string::npos;
            },
            10s);
        const auto probed = json::parse(reply.body).at("backend");
        EXPECT_FALSE(probed.at("up").get<bool>()) << probed.dump();
        EXPECT_NE(probed.at("detail").get<std::string>().find("answered HTTP 401: Unauthorized"), std::string::npos)
            << probed.dump();
    } else {
        const auto probed = json::parse(http_request(without_key.port, "GET", "/readyz").body).at("backend");
        EXPECT_TRUE(probed.at("up").get<bool>()) << "llama-server's /v1/models needs no key: " << probed.dump();
    }
}

TEST_P(OpenAiBackend, A503BeforeTheFirstByteIsRetried) {
    const auto s = engine_stack(engine());
    const auto run = run_with_model(s, "fault/busy-first=1");
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("calls")[0].at("attempts"), 2);
    EXPECT_EQ(requests_to(s.sim_stats(), chat_path).size(), 3U);
}

TEST_P(OpenAiBackend, WritesSplitAtEveryByteAreReassembled) {
    const auto s = engine_stack(engine());
    const auto run = run_with_model(s, "fault/split-every-byte");
    ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("calls")[1].at("tokens_generated"), engine_tokens);
}

TEST_P(OpenAiBackend, IdleTimeoutFiresOnAStallNamingTheBackend) {
    const auto s = engine_stack(engine(), {"--idle-timeout", "200ms"});
    expect_engine_failure(run_with_model(s, "fault/stall-after=2:3000"), "timeout",
                          "idle-timeout fired: backend " + engine() + " sent nothing for 200 ms");
}

TEST_P(OpenAiBackend, CancellingARunningRunDisconnectsTheEngine) {
    const auto s = engine_stack(engine());
    const auto id = s.submit({{"data_dir", "tr109"}, {"model", "fault/stall-after=2:30000"}});
    poll_until(
        s.sim_port, "/sim/stats",
        [](const http_reply& r) { return !requests_to(json::parse(r.body), chat_path).empty(); }, 20s);
    EXPECT_EQ(http_request(s.port, "DELETE", "/runs/" + id).status, 202U);
    EXPECT_EQ(s.wait_finished(id).at("status"), "cancelled");
    const auto disconnected = poll_until(
        s.sim_port, "/sim/stats",
        [](const http_reply& r) { return requests_to(json::parse(r.body), chat_path)[0].at("client_disconnected"); },
        5s);
    EXPECT_TRUE(requests_to(json::parse(disconnected.body), chat_path)[0].at("client_disconnected").get<bool>());
}

INSTANTIATE_TEST_SUITE_P(Engines, OpenAiBackend, ::testing::Values("llamacpp", "vllm"));

/// `chimera run` against the simulator as the OpenAI-compatible backend `engine`.
struct local_run {
    temp_dir work;
    int exit_code;

    local_run(const std::string& engine, const std::vector<std::string>& extra) {
        child_process sim{sim_argv(engine_sim(engine))};
        const auto sim_port = read_listening_port(sim);
        std::vector<std::string> argv{test_support::chimera_binary(),
                                      "run",
                                      "--backend",
                                      openai_backend_flag(engine, sim_port),
                                      "--model",
                                      "m1",
                                      "--data-dir",
                                      std::string{CHIMERA_TEST_DATA_DIR} + "/tr109",
                                      "--output-dir",
                                      (work.path() / "out").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        child_process run{argv, work.path() / "stderr.txt"};
        exit_code = run.wait_for_exit(60s);
        sim_stats = json::parse(http_request(sim_port, "GET", "/sim/stats").body);
    }

    [[nodiscard]] json document() const {
        std::ifstream in{work.path() / "out" / "run_1" / "run.json"};
        return json::parse(in);
    }

    json sim_stats;
};

TEST(OpenAiBackendRun, ChimeraRunStreamsFromEachEngine) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const local_run run{engine, {}};
        ASSERT_EQ(run.exit_code, 0) << engine;
        const auto doc = run.document();
        EXPECT_EQ(doc.at("status"), "succeeded") << doc.dump();
        ASSERT_EQ(doc.at("calls").size(), 2U);
        EXPECT_EQ(doc.at("calls")[1].at("tokens_per_second_source"), engine == "llamacpp" ? "engine" : "client");
        const auto chats = requests_to(run.sim_stats, chat_path);
        ASSERT_EQ(chats.size(), 2U) << engine;
        EXPECT_EQ(chats[0].at("connection_id"), chats[1].at("connection_id")) << engine;
        // Its check (GET /v1/models) went over the calls' connection: chimera opened no other.
        EXPECT_EQ(doc.at("engine"), (json{{"backend", engine}, {"kind", "openai"}, {"version", nullptr}})) << engine;
        EXPECT_EQ(run.sim_stats.at("connections_accepted"), 2) << engine << ": chimera's, and the stats request's";
    }
}

TEST(OpenAiBackendRun, AnOptionTheBackendCannotTakeFailsTheRunNamingIt) {
    const local_run run{"vllm", {"--num-ctx", "1024", "--repeat-penalty", "1.1"}};
    const auto doc = run.document();
    EXPECT_EQ(doc.at("status"), "failed") << doc.dump();
    EXPECT_EQ(doc.at("error").at("type"), "unsupported_options");
    const auto detail = doc.at("error").at("detail").get<std::string>();
    EXPECT_NE(detail.find("num_ctx, repeat_penalty"), std::string::npos) << detail;
    EXPECT_TRUE(requests_to(run.sim_stats, chat_path).empty()) << "refused before any call";
}

}  // namespace
}  // namespace chimera::testing
