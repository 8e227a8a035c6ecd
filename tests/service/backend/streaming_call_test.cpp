// stream_generate against a scripted backend on loopback: a thread that answers one request with
// bytes the test chooses, when the test says so, in Ollama's wire and in the OpenAI-compatible one.
// The simulator covers each engine's behaviour (tests/integration); these tests cover what it
// cannot be made to do on cue.
#include "chimera/backend/streaming_call.hpp"

#include <array>
#include <chrono>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/run/run_failure.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "receive_stamps_on.hpp"

namespace chimera::service {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

/// The kernel stamps a segment when its receive processing delivers it, which on loopback may
/// run a few µs after the sender's write returned.
constexpr double delivery_slack_ms = 5;

double ms_between(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

constexpr std::string_view ok_header =
    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunk(std::string_view line) {
    std::ostringstream out;
    out << std::hex << line.size() << "\r\n" << line << "\r\n";
    return std::move(out).str();
}

std::string token_chunk() {
    return chunk(R"({"model":"m","response":"hi","done":false})"
                 "\n");
}

std::string done_chunks() {
    return chunk(R"({"model":"m","response":"","done":true,"done_reason":"stop","eval_count":1,)"
                 R"("eval_duration":1000000,"prompt_eval_count":1,"prompt_eval_duration":1000,)"
                 R"("load_duration":1000,"total_duration":2000000})"
                 "\n") +
           "0\r\n\r\n";
}

/// What the scripted backend does after its last write.
enum class after_writes {
    wait_for_client_close,  ///< reads until the client closes the connection, and says so
    hang_up,                ///< closes the connection itself, as a backend that died
};

/// One connection's backend on its own thread. Each write waits for the test's go-ahead,
/// and the time each write returned is reported back.
class scripted_backend {
public:
    scripted_backend() : acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}} {}
    scripted_backend(const scripted_backend&) = delete;
    scripted_backend& operator=(const scripted_backend&) = delete;
    scripted_backend(scripted_backend&&) = delete;
    scripted_backend& operator=(scripted_backend&&) = delete;
    ~scripted_backend() {
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    [[nodiscard]] std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

    /// Serves `writes` in order once the request has been read; the n-th waits for go(n).
    void serve(std::vector<std::string> writes, after_writes end = after_writes::wait_for_client_close) {
        for (std::size_t i = 0; i < writes.size(); ++i) {
            go_.emplace_back();
            sent_.emplace_back();
        }
        thread_ = std::thread{[this, end, writes = std::move(writes)] {
            tcp::socket socket{io_};
            acceptor_.accept(socket);
            // As Go's server does; without it Nagle holds a write back until the previous one is
            // acknowledged, and a token would arrive after the moment this thread reports it sent.
            socket.set_option(tcp::no_delay{true});
            std::string request;
            asio::read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n");
            request_read_.set_value(request);
            for (std::size_t i = 0; i < writes.size(); ++i) {
                go_[i].get_future().wait();
                asio::write(socket, asio::buffer(writes[i]));
                sent_[i].set_value(steady::now());
            }
            if (end == after_writes::wait_for_client_close) wait_for_close(socket);
        }};
    }

    /// The request's head and whatever of its body came with it.
    std::string wait_for_request() { return request_read_.get_future().get(); }

    /// Becomes ready when the client has closed the connection.
    std::future<void> client_closed() { return closed_.get_future(); }
    steady::time_point go(std::size_t write) {
        go_[write].set_value();
        return sent_[write].get_future().get();
    }

private:
    void wait_for_close(tcp::socket& socket) {
        std::array<char, 4096> discard{};
        boost::system::error_code ec;
        while (!ec) socket.read_some(asio::buffer(discard), ec);
        closed_.set_value();
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::promise<std::string> request_read_;
    std::promise<void> closed_;
    std::vector<std::promise<void>> go_;
    std::vector<std::promise<steady::time_point>> sent_;
};

class OllamaStreamingCall : public ::testing::Test {
protected:
    OllamaStreamingCall() { settings_.endpoint = {"127.0.0.1", backend_.port()}; }

    /// Starts the call and runs the io thread until the backend has read the request.
    std::future<streamed_generation> start_call() {
        auto call = asio::co_spawn(io_, stream_generate(context_, connection_, body_), asio::use_future);
        auto request_read = std::async(std::launch::async, [this] { return backend_.wait_for_request(); });
        while (request_read.wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
            io_.poll_one();
        }
        request_ = request_read.get();
        return call;
    }

    /// The failure the call ended with; fails the test if it succeeded.
    static core::run_failure failure_of(std::future<streamed_generation>& call) {
        try {
            call.get();
        } catch (const core::run_failure& failure) {
            return failure;
        }
        ADD_FAILURE() << "the call succeeded";
        return core::run_failure::protocol_error("none");
    }

    test::receive_stamps_on stamps_on_;
    scripted_backend backend_;
    asio::io_context io_{1};
    service_metrics metrics_;
    backend_settings settings_;
    backend_connection_pool pool_{io_.get_executor(), settings_, metrics_};
    generate_call_context context_{pool_, settings_, nullptr, {}};
    backend_connection connection_;
    std::string body_ = R"({"model":"m","prompt":"p"})";
    std::string request_;
};

// The io thread is kept away from the socket for 30 ms after the first token arrived; TTFT
// must end when the token arrived (the kernel's receive stamp), not when the thread read it.
TEST_F(OllamaStreamingCall, TtftEndsWhenTheFirstTokenArrivedNotWhenTheIoThreadGotToIt) {
    backend_.serve({std::string{ok_header} + token_chunk() + done_chunks()});
    const auto before_call = steady::now();
    auto call = start_call();
    const auto sent = backend_.go(0);
    std::this_thread::sleep_for(std::chrono::milliseconds{30});  // the io thread is late on purpose
    const auto io_thread_back = steady::now();
    io_.run();
    const auto out = call.get();
    EXPECT_LE(out.timings.ttft_ms, ms_between(before_call, sent) + delivery_slack_ms);
    EXPECT_LT(out.timings.ttft_ms, ms_between(before_call, io_thread_back) - 25);
    EXPECT_EQ(out.text, "hi");
}

// A header that came alone is not the first token: TTFT waits for the token's own bytes.
TEST_F(OllamaStreamingCall, AHeaderThatComesBeforeTheFirstTokenDoesNotEndTtft) {
    backend_.serve({std::string{ok_header}, token_chunk() + done_chunks()});
    const auto before_call = steady::now();
    auto call = start_call();
    const auto header_sent = backend_.go(0);
    io_.run_for(std::chrono::milliseconds{30});  // the header is read, then a gap before the token
    const auto token_sent = backend_.go(1);
    io_.run();
    const auto out = call.get();
    EXPECT_GT(out.timings.ttft_ms, ms_between(before_call, header_sent) + 25);
    EXPECT_LE(out.timings.ttft_ms, ms_between(before_call, token_sent) + delivery_slack_ms);
}

TEST_F(OllamaStreamingCall, AResponseThatIsNotHttpFailsAsAProtocolError) {
    backend_.serve({"SSH-2.0-OpenSSH_9.2\r\n\r\n"});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    try {
        call.get();
        FAIL() << "the call succeeded";
    } catch (const core::run_failure& failure) {
        EXPECT_EQ(failure.type(), core::failure_type::backend_protocol_error);
        EXPECT_NE(std::string{failure.what()}.find("not valid HTTP"), std::string::npos) << failure.what();
        EXPECT_FALSE(failure.retryable());
    }
}

constexpr std::string_view sse_header =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";

/// One Server-Sent Event in its own HTTP chunk, as vLLM and llama.cpp flush them.
std::string event(std::string_view data) { return chunk("data: " + std::string{data} + "\n\n"); }

/// vLLM's first chunk: the role, with empty content.
std::string role_event() {
    return event(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[)"
                 R"({"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})");
}

std::string content_event(std::string_view text) {
    return event(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[)"
                 R"({"index":0,"delta":{"content":")" +
                 std::string{text} + R"("},"logprobs":null,"finish_reason":null}]})");
}

/// The usage chunk of stream_options.include_usage, optionally with llama.cpp's timings, then
/// [DONE] and the end of the chunked body.
std::string usage_and_done(int completion_tokens, std::string_view timings = {}) {
    std::string usage = R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],)"
                        R"("usage":{"prompt_tokens":4,"total_tokens":)" +
                        std::to_string(4 + completion_tokens) + R"(,"completion_tokens":)" +
                        std::to_string(completion_tokens) + "}";
    if (!timings.empty()) usage += R"(,"timings":)" + std::string{timings};
    return event(usage + "}") + event("[DONE]") + "0\r\n\r\n";
}

/// An OpenAI-compatible backend (vLLM, llama.cpp), named as an operator would name it.
class OpenAiStreamingCall : public OllamaStreamingCall {
protected:
    OpenAiStreamingCall() {
        settings_.kind = core::backend_kind::openai;
        settings_.name = "vllm";
        settings_.authorization = "Bearer secret-key";
        body_ = R"({"model":"m","messages":[{"role":"user","content":"p"}],"stream":true})";
    }
};

TEST_F(OpenAiStreamingCall, SpeaksTheChatCompletionsWireWithTheAuthorizationHeader) {
    backend_.serve({std::string{sse_header} + role_event() + content_event("hi") + usage_and_done(1)});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    EXPECT_EQ(call.get().text, "hi");
    EXPECT_TRUE(request_.starts_with("POST /v1/chat/completions HTTP/1.1\r\n")) << request_;
    EXPECT_NE(request_.find("Accept: text/event-stream\r\n"), std::string::npos) << request_;
    EXPECT_NE(request_.find("Authorization: Bearer secret-key\r\n"), std::string::npos) << request_;
    EXPECT_TRUE(connection_) << "a stream read to its end leaves the keep-alive connection for the next call";
}

// vLLM sends its headers and the role chunk as the stream starts; TTFT waits for the first
// non-empty content delta.
TEST_F(OpenAiStreamingCall, TtftIsTheFirstContentDeltaNotTheRoleChunk) {
    backend_.serve({std::string{sse_header} + role_event(), content_event("hi") + usage_and_done(1)});
    const auto before_call = steady::now();
    auto call = start_call();
    const auto role_sent = backend_.go(0);
    io_.run_for(std::chrono::milliseconds{30});  // the role chunk is read, then a gap before the content
    const auto content_sent = backend_.go(1);
    io_.run();
    const auto out = call.get();
    EXPECT_GT(out.timings.ttft_ms, ms_between(before_call, role_sent) + 25);
    EXPECT_LE(out.timings.ttft_ms, ms_between(before_call, content_sent) + delivery_slack_ms);
    EXPECT_EQ(out.text, "hi");
}

// vLLM reports no durations: the rate is its completion tokens over the time from the first
// content delta's arrival to the last one's.
TEST_F(OpenAiStreamingCall, WithoutEngineTimingsTheRateIsTheClientsDecodeTime) {
    backend_.serve({std::string{sse_header} + role_event() + content_event("a"), content_event("b"),
                    content_event("c") + usage_and_done(3)});
    auto call = start_call();
    const auto first_sent = backend_.go(0);
    io_.run_for(std::chrono::milliseconds{20});
    backend_.go(1);
    io_.run_for(std::chrono::milliseconds{20});
    const auto last_sent = backend_.go(2);
    io_.run();
    const auto out = call.get();
    const double sent_apart = ms_between(first_sent, last_sent);
    EXPECT_NEAR(out.timings.decode_ms, sent_apart, delivery_slack_ms);
    EXPECT_EQ(out.stats.eval_count, 3);
    EXPECT_EQ(out.stats.prompt_eval_count, 4);
    const auto metrics = core::make_call_metrics(core::call_stage::analysis, out.timings, out.stats);
    EXPECT_EQ(metrics.tokens_per_second_source, core::rate_source::client);
    EXPECT_DOUBLE_EQ(metrics.tokens_per_second, 2.0 / (out.timings.decode_ms / 1e3));
    EXPECT_EQ(metrics.eval_ms, 0.0);
}

TEST_F(OpenAiStreamingCall, LlamaCppTimingsGiveTheEnginesRate) {
    backend_.serve({std::string{sse_header} + content_event("a") + content_event("b") +
                    usage_and_done(2, R"({"prompt_n":4,"prompt_ms":12.5,"predicted_n":2,"predicted_ms":40.0})")});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    const auto out = call.get();
    const auto metrics = core::make_call_metrics(core::call_stage::report, out.timings, out.stats);
    EXPECT_EQ(metrics.tokens_per_second_source, core::rate_source::engine);
    EXPECT_DOUBLE_EQ(metrics.tokens_per_second, 50.0);
    EXPECT_DOUBLE_EQ(metrics.prompt_eval_ms, 12.5);
    EXPECT_DOUBLE_EQ(metrics.eval_ms, 40.0);
}

TEST_F(OpenAiStreamingCall, CommentLinesAreSkipped) {
    backend_.serve(
        {std::string{sse_header} + chunk(": ping\n\n") + content_event("a") + chunk(": ping\n\n") + usage_and_done(1)});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    EXPECT_EQ(call.get().text, "a");
}

// llama.cpp's error body; a 503 before any token is one the backend never started on.
TEST_F(OpenAiStreamingCall, AnErrorStatusCarriesTheEnginesMessageAndNamesTheBackend) {
    const std::string body = R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})";
    backend_.serve(
        {"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    const auto failure = failure_of(call);
    EXPECT_EQ(std::string{failure.what()}, "backend vllm answered HTTP 503: Loading model");
    EXPECT_TRUE(failure.retryable()) << "a 503 before the first byte is retried";
    EXPECT_EQ(failure.outcome(), core::llm_outcome::http_error);
}

// llama.cpp: an error object in a data line, then the body ends without [DONE].
TEST_F(OpenAiStreamingCall, AnErrorInADataLineIsAMidStreamError) {
    backend_.serve({std::string{sse_header} + content_event("a") +
                    event(R"({"error":{"code":500,"message":"simulated fault","type":"server_error"}})") +
                    "0\r\n\r\n"});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    const auto failure = failure_of(call);
    EXPECT_EQ(failure.type(), core::failure_type::backend_error);
    EXPECT_EQ(failure.outcome(), core::llm_outcome::midstream_error);
    EXPECT_EQ(std::string{failure.what()}, "backend vllm reported an error mid-stream: simulated fault");
    EXPECT_FALSE(failure.retryable()) << "never a retry after tokens streamed";
}

// vLLM: the error object, then [DONE], which must not turn the failure into a success.
TEST_F(OpenAiStreamingCall, AnErrorFollowedByDoneIsStillAMidStreamError) {
    backend_.serve({std::string{sse_header} + content_event("a") +
                    event(R"({"error":{"message":"simulated fault","type":"InternalServerError","param":null,)"
                          R"("code":500}})") +
                    event("[DONE]") + "0\r\n\r\n"});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    EXPECT_EQ(failure_of(call).outcome(), core::llm_outcome::midstream_error);
}

TEST_F(OpenAiStreamingCall, ABodyThatEndsWithoutDoneIsTruncated) {
    backend_.serve({std::string{sse_header} + content_event("a") + "0\r\n\r\n"});
    auto call = start_call();
    backend_.go(0);
    io_.run();
    const auto failure = failure_of(call);
    EXPECT_EQ(failure.type(), core::failure_type::stream_truncated);
    EXPECT_EQ(std::string{failure.what()}, "the backend vllm stream ended without data: [DONE]");
}

TEST_F(OpenAiStreamingCall, AConnectionClosedMidStreamIsTruncated) {
    backend_.serve({std::string{sse_header} + content_event("a")}, after_writes::hang_up);
    auto call = start_call();
    backend_.go(0);
    io_.run();
    const auto failure = failure_of(call);
    EXPECT_EQ(failure.outcome(), core::llm_outcome::truncated);
    EXPECT_NE(std::string{failure.what()}.find("the backend vllm stream broke off before data: [DONE]"),
              std::string::npos)
        << failure.what();
}

// Cancelling (DELETE /runs/{id}) mid-stream closes the socket: the engine stops generating only
// when its client disconnects.
TEST_F(OpenAiStreamingCall, CancellationMidStreamClosesTheConnection) {
    run_cancellation cancellation;
    context_.cancellation = &cancellation;
    context_.on_token = [&cancellation](const token_batch&) { cancellation.cancel(core::cancel_reason::user); };
    backend_.serve({std::string{sse_header} + role_event() + content_event("a")});
    auto closed = backend_.client_closed();
    auto call = start_call();
    backend_.go(0);
    io_.run();
    EXPECT_EQ(failure_of(call).type(), core::failure_type::cancelled);
    EXPECT_EQ(closed.wait_for(std::chrono::seconds{10}), std::future_status::ready);
    EXPECT_FALSE(connection_);
}

}  // namespace
}  // namespace chimera::service
