// ollama-sim's OpenAI-compatible modes (--engine llamacpp|vllm, issue 18 item 5): each engine's
// chunk shapes decoded by core's openai_stream_decoder one byte at a time, its errors, and the
// fault modes as the decoder reports them.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "chimera/core/llm/openai_stream_decoder.hpp"
#include "http_client.hpp"
#include "raw_exchange.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using core::done_event;
using core::error_event;
using core::malformed_event;
using core::stream_event;
using core::token_event;

constexpr int openai_sim_tokens = 5;

struct openai_sim {
    child_process process;
    unsigned short port;

    explicit openai_sim(const std::string& engine, std::vector<std::string> extra = {})
        : process{flags(engine, std::move(extra))}, port{read_listening_port(process)} {}

    static std::vector<std::string> flags(const std::string& engine, std::vector<std::string> extra) {
        auto argv = sim_argv(engine_sim_flags(engine, openai_sim_tokens, 2000));
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    }

    raw_reply chat(const json& overrides = json::object(), const std::string& headers = {}) const {
        json body{{"model", "m1"},
                  {"messages", {{{"role", "user"}, {"content", "hello there"}}}},
                  {"stream", true},
                  {"stream_options", {{"include_usage", true}}}};
        body.update(overrides);
        return raw_exchange(port, "POST", "/v1/chat/completions", body.dump(), headers);
    }
};

/// The body fed to the decoder one byte at a time: every split a socket could make.
std::vector<stream_event> decode_bytewise(const std::string& body) {
    core::openai_stream_decoder decoder;
    std::vector<stream_event> events;
    for (const char byte : body) decoder.feed(std::string_view{&byte, 1}, events);
    return events;
}

/// The `data:` payloads of a well-framed body, in order.
std::vector<std::string> data_payloads(const std::string& body) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < body.size();) {
        const auto end = body.find("\n\n", at);
        const auto event = body.substr(at, end - at);
        if (event.starts_with("data: ")) out.push_back(event.substr(6));
        at = end == std::string::npos ? body.size() : end + 2;
    }
    return out;
}

std::string tokens_text(const std::vector<stream_event>& events) {
    std::string text;
    for (const auto& event : events) {
        if (const auto* token = std::get_if<token_event>(&event)) text += token->text;
    }
    return text;
}

long token_count(const std::vector<stream_event>& events) {
    return std::count_if(events.begin(), events.end(), [](const stream_event& e) {
        const auto* token = std::get_if<token_event>(&e);
        return token != nullptr && !token->text.empty();
    });
}

std::string whole_text(const openai_sim& sim) {
    const auto reply = sim.chat({{"stream", false}});
    EXPECT_EQ(reply.status, 200U) << reply.body;
    return json::parse(reply.body).at("choices")[0].at("message").at("content").get<std::string>();
}

TEST(OpenAiSim, LlamaCppChatStreamDecodesAtEveryByteWithTimings) {
    const openai_sim sim{"llamacpp", {"--fault-split-every-byte"}};
    const auto reply = sim.chat();
    ASSERT_EQ(reply.status, 200U);
    EXPECT_EQ(reply.headers.at("content-type"), "text/event-stream");
    EXPECT_TRUE(reply.complete);
    const auto payloads = data_payloads(reply.body);
    ASSERT_GE(payloads.size(), 4U);
    const auto role = json::parse(payloads.front());
    EXPECT_EQ(role.at("choices")[0].at("delta"), (json{{"role", "assistant"}, {"content", nullptr}}));
    EXPECT_EQ(role.at("object"), "chat.completion.chunk");
    EXPECT_TRUE(role.at("id").get<std::string>().starts_with("chatcmpl-"));
    EXPECT_TRUE(role.contains("system_fingerprint"));
    EXPECT_EQ(payloads.back(), "[DONE]");
    const auto finish = json::parse(payloads[payloads.size() - 3]);
    EXPECT_EQ(finish.at("choices")[0].at("finish_reason"), "stop");
    EXPECT_EQ(finish.at("choices")[0].at("delta"), json::object());
    const auto last = json::parse(payloads[payloads.size() - 2]);
    EXPECT_EQ(last.at("choices"), json::array());
    EXPECT_EQ(last.at("usage").at("completion_tokens"), openai_sim_tokens);
    EXPECT_EQ(last.at("usage").at("prompt_tokens"), 2);
    const auto& timings = last.at("timings");
    EXPECT_EQ(timings.at("predicted_n"), openai_sim_tokens);
    EXPECT_EQ(timings.at("prompt_n"), 2);
    EXPECT_GT(timings.at("predicted_ms").get<double>(), 0.0);
    EXPECT_NEAR(timings.at("predicted_per_second").get<double>(),
                1e3 / timings.at("predicted_ms").get<double>() * openai_sim_tokens, 1e-6);

    const auto events = decode_bytewise(reply.body);
    EXPECT_EQ(token_count(events), openai_sim_tokens);
    EXPECT_EQ(tokens_text(events), whole_text(sim));
    ASSERT_TRUE(std::holds_alternative<done_event>(events.back()));
    const auto& stats = std::get<done_event>(events.back()).stats;
    EXPECT_EQ(stats.eval_count, openai_sim_tokens);
    EXPECT_EQ(stats.prompt_eval_count, 2);
    EXPECT_EQ(stats.done_reason, "stop");
    EXPECT_GT(stats.eval_duration_ns, 0) << "llama.cpp's timings give the decode time";
}

TEST(OpenAiSim, VllmChatStreamDecodesAtEveryByteWithoutTimings) {
    const openai_sim sim{"vllm", {"--fault-split-every-byte"}};
    const auto reply = sim.chat();
    ASSERT_EQ(reply.status, 200U);
    EXPECT_EQ(reply.headers.at("content-type"), "text/event-stream; charset=utf-8");
    EXPECT_TRUE(reply.complete);
    const auto payloads = data_payloads(reply.body);
    ASSERT_GE(payloads.size(), 3U);
    const auto role = json::parse(payloads.front());
    EXPECT_EQ(role.at("choices")[0].at("delta"), (json{{"role", "assistant"}, {"content", ""}}));
    EXPECT_FALSE(role.contains("system_fingerprint"));
    EXPECT_EQ(payloads.back(), "[DONE]");
    const auto last_token = json::parse(payloads[payloads.size() - 3]);
    EXPECT_EQ(last_token.at("choices")[0].at("finish_reason"), "stop") << "vLLM finishes on the last token's chunk";
    const auto usage = json::parse(payloads[payloads.size() - 2]);
    EXPECT_EQ(usage.at("choices"), json::array());
    EXPECT_EQ(usage.at("usage").at("completion_tokens"), openai_sim_tokens);
    for (const auto& payload : payloads) EXPECT_EQ(payload.find("timings"), std::string::npos) << payload;

    const auto events = decode_bytewise(reply.body);
    EXPECT_EQ(token_count(events), openai_sim_tokens);
    EXPECT_EQ(tokens_text(events), whole_text(sim));
    ASSERT_TRUE(std::holds_alternative<done_event>(events.back()));
    const auto& stats = std::get<done_event>(events.back()).stats;
    EXPECT_EQ(stats.eval_count, openai_sim_tokens);
    EXPECT_EQ(stats.eval_duration_ns, 0) << "no engine timings";
}

TEST(OpenAiSim, WithoutIncludeUsageThereIsNoUsageChunk) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const openai_sim sim{engine};
        const auto reply = sim.chat({{"stream_options", nullptr}});
        for (const auto& payload : data_payloads(reply.body)) {
            EXPECT_EQ(payload.find("\"usage\""), std::string::npos) << engine << ": " << payload;
        }
    }
}

TEST(OpenAiSim, CompletionsHonourMaxTokensWithEachEnginesIds) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const openai_sim sim{engine};
        const json body{{"model", "m1"},      {"prompt", "one two three"},
                        {"max_tokens", 3},    {"stream", true},
                        {"temperature", 0.2}, {"top_p", 0.9},
                        {"seed", 7},          {"stream_options", {{"include_usage", true}}}};
        const auto reply = raw_exchange(sim.port, "POST", "/v1/completions", body.dump());
        ASSERT_EQ(reply.status, 200U) << engine << ": " << reply.body;
        const auto payloads = data_payloads(reply.body);
        const auto first = json::parse(payloads.front());
        EXPECT_EQ(first.at("object"), "text_completion");
        EXPECT_TRUE(first.at("id").get<std::string>().starts_with(engine == "vllm" ? "cmpl-" : "chatcmpl-"));
        const auto events = decode_bytewise(reply.body);
        EXPECT_EQ(token_count(events), 3) << engine;
        ASSERT_TRUE(std::holds_alternative<done_event>(events.back())) << engine;
        EXPECT_EQ(std::get<done_event>(events.back()).stats.done_reason, "length") << engine;
        EXPECT_EQ(std::get<done_event>(events.back()).stats.eval_count, 3) << engine;
        EXPECT_EQ(std::get<done_event>(events.back()).stats.prompt_eval_count, 3) << engine;
    }
}

TEST(OpenAiSim, UnknownModelGetsEachEnginesStatusAndBody) {
    const openai_sim llama{"llamacpp"};
    const auto refused = llama.chat({{"model", "nope"}});
    EXPECT_EQ(refused.status, 500U);
    EXPECT_EQ(
        json::parse(refused.body),
        (json{{"error", {{"code", 500}, {"message", "model name=nope is not found"}, {"type", "server_error"}}}}));
    const openai_sim vllm{"vllm"};
    const auto missing = vllm.chat({{"model", "nope"}});
    EXPECT_EQ(missing.status, 404U);
    EXPECT_EQ(missing.headers.at("content-type"), "application/json");
    EXPECT_EQ(json::parse(missing.body), (json{{"error",
                                                {{"message", "The model `nope` does not exist."},
                                                 {"type", "NotFoundError"},
                                                 {"param", nullptr},
                                                 {"code", 404}}}}));
}

TEST(OpenAiSim, BadSamplingParameterIsTheEnginesBadRequest) {
    const openai_sim llama{"llamacpp"};
    const auto hot = llama.chat({{"temperature", "hot"}});
    EXPECT_EQ(hot.status, 400U);
    EXPECT_EQ(json::parse(hot.body).at("error").at("type"), "invalid_request_error");
    const openai_sim vllm{"vllm"};
    const auto zero = vllm.chat({{"max_tokens", 0}});
    EXPECT_EQ(zero.status, 400U);
    EXPECT_EQ(json::parse(zero.body).at("error").at("type"), "BadRequestError");
}

TEST(OpenAiSim, OnlyTheEnginesRoutesAnswer) {
    const openai_sim llama{"llamacpp"};
    const auto tags = raw_exchange(llama.port, "GET", "/api/tags");
    EXPECT_EQ(tags.status, 404U);
    EXPECT_EQ(json::parse(tags.body).at("error").at("type"), "not_found_error");
    const auto models = json::parse(raw_exchange(llama.port, "GET", "/v1/models").body);
    EXPECT_EQ(models.at("object"), "list");
    EXPECT_EQ(models.at("data")[0].at("owned_by"), "llamacpp");
    EXPECT_EQ(models.at("data")[0].at("id"), "m1") << "listed as served, without Ollama's :latest";
    const openai_sim vllm{"vllm"};
    const auto generate = raw_exchange(vllm.port, "POST", "/api/generate", R"({"model":"m1","prompt":"x"})");
    EXPECT_EQ(generate.status, 404U);
    EXPECT_EQ(generate.body, R"({"detail":"Not Found"})");
    EXPECT_EQ(json::parse(raw_exchange(vllm.port, "GET", "/v1/models").body).at("data")[0].at("owned_by"), "vllm");
    const openai_sim ollama{"ollama"};
    EXPECT_EQ(raw_exchange(ollama.port, "GET", "/v1/models").body, "404 page not found");
}

TEST(OpenAiSim, MidStreamErrorInEachEnginesStyle) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const openai_sim sim{engine};
        const auto reply = sim.chat(json::object(), "X-Sim-Fault: midstream-error-after=2\r\n");
        ASSERT_EQ(reply.status, 200U) << engine;
        EXPECT_TRUE(reply.complete) << engine << ": the body ends cleanly";
        const auto events = decode_bytewise(reply.body);
        EXPECT_EQ(token_count(events), 2) << engine;
        const auto error = std::find_if(events.begin(), events.end(),
                                        [](const stream_event& e) { return std::holds_alternative<error_event>(e); });
        ASSERT_NE(error, events.end()) << engine;
        EXPECT_EQ(std::get<error_event>(*error).message, "simulated fault");
        const bool done_after = std::holds_alternative<done_event>(events.back());
        EXPECT_EQ(done_after, engine == "vllm") << engine << ": only vLLM sends [DONE] after its error";
    }
}

TEST(OpenAiSim, TruncatedStreamHasNoDoneAndNoLastChunk) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const openai_sim sim{engine};
        const auto reply = sim.chat(json::object(), "X-Sim-Fault: truncate-after=2\r\n");
        ASSERT_EQ(reply.status, 200U) << engine;
        EXPECT_FALSE(reply.complete) << engine;
        const auto events = decode_bytewise(reply.body);
        EXPECT_EQ(token_count(events), 2) << engine;
        EXPECT_TRUE(std::none_of(events.begin(), events.end(), [](const stream_event& e) {
            return std::holds_alternative<done_event>(e);
        })) << engine;
    }
}

TEST(OpenAiSim, GarbageLineIsMalformedAndTheStreamGoesOn) {
    for (const std::string engine : {"llamacpp", "vllm"}) {
        const openai_sim sim{engine};
        const auto events = decode_bytewise(sim.chat(json::object(), "X-Sim-Fault: garbage-line-after=1\r\n").body);
        EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const stream_event& e) {
            return std::holds_alternative<malformed_event>(e);
        })) << engine;
        EXPECT_EQ(token_count(events), openai_sim_tokens) << engine;
        EXPECT_TRUE(std::holds_alternative<done_event>(events.back())) << engine;
    }
}

TEST(OpenAiSim, StatusBusyAndResetFaults) {
    const openai_sim llama{"llamacpp", {"--fault-busy-first", "1"}};
    const auto busy = llama.chat();
    EXPECT_EQ(busy.status, 503U);
    EXPECT_EQ(json::parse(busy.body),
              (json{{"error", {{"code", 503}, {"message", "Loading model"}, {"type", "unavailable_error"}}}}));
    EXPECT_EQ(llama.chat().status, 200U) << "only the first request is refused";
    const openai_sim vllm{"vllm", {"--fault-reset-first", "1"}};
    EXPECT_EQ(vllm.chat().status, 0U) << "reset before any byte";
    const auto status = vllm.chat(json::object(), "X-Sim-Fault: status=502\r\n");
    EXPECT_EQ(status.status, 502U);
    EXPECT_EQ(json::parse(status.body).at("error").at("type"), "InternalServerError");
}

TEST(OpenAiSim, LlamaCppPingsWhileAStreamStalls) {
    const openai_sim sim{"llamacpp", {"--sse-ping-ms", "20"}};
    const auto reply = sim.chat(json::object(), "X-Sim-Fault: stall-after=2:300\r\n");
    ASSERT_EQ(reply.status, 200U);
    std::size_t pings = 0;
    for (auto at = reply.body.find(": ping\n\n"); at != std::string::npos; at = reply.body.find(": ping\n\n", at + 1)) {
        ++pings;
    }
    EXPECT_GE(pings, 5U) << "a 300 ms stall at one ping per 20 ms of silence";
    const auto events = decode_bytewise(reply.body);
    EXPECT_EQ(token_count(events), openai_sim_tokens);
    EXPECT_TRUE(std::holds_alternative<done_event>(events.back()));
}

TEST(OpenAiSim, RequestsAreRecordedInSimStats) {
    const openai_sim sim{"vllm"};
    ASSERT_EQ(sim.chat().status, 200U);
    ASSERT_EQ(sim.chat({{"model", "nope"}}).status, 404U);
    const auto stats = json::parse(http_request(sim.port, "GET", "/sim/stats").body);
    const auto& requests = stats.at("requests");
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[0].at("path"), "/v1/chat/completions");
    EXPECT_EQ(requests[0].at("model"), "m1");
    EXPECT_EQ(requests[0].at("status"), 200);
    EXPECT_EQ(requests[0].at("eval_count"), openai_sim_tokens);
    EXPECT_EQ(requests[0].at("prompt_tokens"), 2);
    EXPECT_TRUE(requests[0].at("completed").get<bool>());
    EXPECT_FALSE(requests[0].at("client_disconnected").get<bool>());
    EXPECT_TRUE(requests[0].at("ttft_ms").is_number());
    EXPECT_EQ(requests[1].at("status"), 404);
    EXPECT_FALSE(requests[1].at("completed").get<bool>());
}

TEST(OpenAiSim, ClientThatLeavesStopsTheGenerationAndIsRecorded) {
    const openai_sim sim{"llamacpp", {"--tokens", "1000", "--tokens-per-second", "50"}};
    {
        const json body{{"model", "m1"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"stream", true}};
        const auto text = body.dump();
        const raw_connection client{sim.port};
        client.send_text("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                         std::to_string(text.size()) + "\r\n\r\n" + text);
        ASSERT_FALSE(client.closed_silently_within(std::chrono::seconds{5})) << "the stream started";
    }
    const auto stats = poll_until(
        sim.port, "/sim/stats",
        [](const http_reply& r) { return json::parse(r.body).at("requests")[0].at("client_disconnected") == true; },
        std::chrono::seconds{10});
    const auto request = json::parse(stats.body).at("requests")[0];
    EXPECT_TRUE(request.at("client_disconnected").get<bool>());
    EXPECT_FALSE(request.at("completed").get<bool>());
    EXPECT_LT(request.at("eval_count").get<int>(), 1000);
}

TEST(OpenAiSim, VllmSendsItsHeadersBeforeTheFirstToken) {
    // Two prompt tokens at one a second: the first token comes two seconds after the request.
    const openai_sim sim{"vllm", {"--prompt-tokens-per-second", "1"}};
    const json body{{"model", "m1"}, {"messages", {{{"role", "user"}, {"content", "hello there"}}}}, {"stream", true}};
    const auto text = body.dump();
    const raw_connection client{sim.port};
    client.send_text("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(text.size()) +
                     "\r\n\r\n" + text);
    const auto head = client.receive(std::chrono::milliseconds{500});
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
    EXPECT_EQ(head.find("data:"), std::string::npos) << "no token yet: " << head;
}

}  // namespace
}  // namespace chimera::testing
