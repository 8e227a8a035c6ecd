// stream_generate against a scripted backend on loopback: a thread that answers one request with
// bytes the test chooses, when the test says so. The simulator covers Ollama's behaviour
// (tests/integration); these tests cover what it cannot be made to do on cue.
#include "chimera/backend/ollama_streaming_call.hpp"

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
    void serve(std::vector<std::string> writes) {
        for (std::size_t i = 0; i < writes.size(); ++i) {
            go_.emplace_back();
            sent_.emplace_back();
        }
        thread_ = std::thread{[this, writes = std::move(writes)] {
            tcp::socket socket{io_};
            acceptor_.accept(socket);
            // As Go's server does; without it Nagle holds a write back until the previous one is
            // acknowledged, and a token would arrive after the moment this thread reports it sent.
            socket.set_option(tcp::no_delay{true});
            std::string request;
            asio::read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n");
            request_read_.set_value();
            for (std::size_t i = 0; i < writes.size(); ++i) {
                go_[i].get_future().wait();
                asio::write(socket, asio::buffer(writes[i]));
                sent_[i].set_value(steady::now());
            }
        }};
    }

    void wait_for_request() { request_read_.get_future().wait(); }
    steady::time_point go(std::size_t write) {
        go_[write].set_value();
        return sent_[write].get_future().get();
    }

private:
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::promise<void> request_read_;
    std::vector<std::promise<void>> go_;
    std::vector<std::promise<steady::time_point>> sent_;
};

class OllamaStreamingCall : public ::testing::Test {
protected:
    OllamaStreamingCall() { settings_.endpoint = {"127.0.0.1", backend_.port()}; }

    /// Starts the call and runs the io thread until the backend has read the request.
    std::future<streamed_generation> start_call() {
        auto call = asio::co_spawn(io_, stream_generate(context_, connection_, body_), asio::use_future);
        auto request_read = std::async(std::launch::async, [this] { backend_.wait_for_request(); });
        while (request_read.wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
            io_.poll_one();
        }
        return call;
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

}  // namespace
}  // namespace chimera::service
