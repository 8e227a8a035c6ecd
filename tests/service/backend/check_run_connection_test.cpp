// check_run_connection against a one-connection backend on loopback that answers the check with
// what the test chooses: what the run document's `engine` comes from, and what a failed check
// leaves (no connection: the first call connects itself).
#include <array>
#include <future>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "chimera/backend/backend_probe.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string json_response(std::string_view status, std::string_view body) {
    return "HTTP/1.1 " + std::string{status} +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string{body};
}

/// Accepts one connection, reads one request head and writes `response`, then holds the
/// connection until the client closes it.
class answering_backend {
public:
    explicit answering_backend(std::string response)
        : thread_{[this, response = std::move(response)] { serve(response); }} {}
    answering_backend(const answering_backend&) = delete;
    answering_backend& operator=(const answering_backend&) = delete;
    answering_backend(answering_backend&&) = delete;
    answering_backend& operator=(answering_backend&&) = delete;
    ~answering_backend() { thread_.join(); }

    [[nodiscard]] std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

    /// The request line the backend was sent.
    std::string request_line() { return request_line_.get_future().get(); }

private:
    void serve(const std::string& response) {
        tcp::socket socket{io_};
        acceptor_.accept(socket);
        std::string request;
        asio::read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n");
        request_line_.set_value(request.substr(0, request.find("\r\n")));
        asio::write(socket, asio::buffer(response));
        std::array<char, 256> discard{};
        boost::system::error_code ec;
        while (!ec) socket.read_some(asio::buffer(discard), ec);
    }

    asio::io_context io_;
    tcp::acceptor acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
    std::promise<std::string> request_line_;
    std::thread thread_;
};

/// A pool of one backend and the io_context its connections live on, which must outlive them.
struct checker {
    checker(const std::string& port, core::backend_kind kind) {
        settings.endpoint = {"127.0.0.1", port};
        settings.kind = kind;
    }

    checked_connection check() {
        auto checked = asio::co_spawn(io, check_run_connection(pool, settings), asio::use_future);
        io.run();
        return checked.get();
    }

    asio::io_context io;
    service_metrics metrics;
    backend_settings settings;
    backend_connection_pool pool{io.get_executor(), settings, metrics};
};

TEST(CheckRunConnection, OllamasVersionIsTheChecksAndItsConnectionIsKeptForTheCalls) {
    answering_backend backend{json_response("200 OK", R"({"version":"0.12.3"})")};
    checker checker{backend.port(), core::backend_kind::ollama};
    const auto checked = checker.check();
    EXPECT_EQ(backend.request_line(), "GET /api/version HTTP/1.1");
    EXPECT_TRUE(checked.check.ready) << checked.check.detail;
    EXPECT_EQ(checked.check.version, "0.12.3");
    ASSERT_NE(checked.connection, nullptr);
    EXPECT_TRUE(checked.connection->socket().is_open());
}

TEST(CheckRunConnection, AnOpenAiCompatibleEngineIsCheckedByItsModelListAndHasNoVersion) {
    answering_backend backend{json_response("200 OK", R"({"object":"list","data":[{"id":"m1","object":"model"}]})")};
    checker checker{backend.port(), core::backend_kind::openai};
    const auto checked = checker.check();
    EXPECT_EQ(backend.request_line(), "GET /v1/models HTTP/1.1");
    EXPECT_TRUE(checked.check.ready) << checked.check.detail;
    EXPECT_EQ(checked.check.version, std::nullopt);
    EXPECT_NE(checked.connection, nullptr);
}

TEST(CheckRunConnection, AChunkedAnswerIsReadWholeAndItsConnectionKept) {
    // {"version":"0.12.3"} in two chunks: 0x10 bytes, then 4.
    answering_backend backend{
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        "10\r\n{\"version\":\"0.12\r\n4\r\n.3\"}\r\n0\r\n\r\n"};
    checker checker{backend.port(), core::backend_kind::ollama};
    const auto checked = checker.check();
    EXPECT_TRUE(checked.check.ready) << checked.check.detail;
    EXPECT_EQ(checked.check.version, "0.12.3");
    EXPECT_NE(checked.connection, nullptr);
}

TEST(CheckRunConnection, ABackendThatNeverAnswersFailsTheCheckWhenTheProbesTimeoutFires) {
    answering_backend backend{""};
    checker checker{backend.port(), core::backend_kind::ollama};
    const auto checked = checker.check();
    EXPECT_FALSE(checked.check.ready);
    EXPECT_NE(checked.check.detail.find("the probe's timeout fired: Ollama sent nothing for 2000 ms"),
              std::string::npos)
        << checked.check.detail;
    EXPECT_EQ(checked.connection, nullptr);
}

TEST(CheckRunConnection, ABackendThatRefusesTheCheckLeavesNoConnectionAndSaysWhy) {
    answering_backend backend{json_response("404 Not Found", R"({"error":"not found"})")};
    checker checker{backend.port(), core::backend_kind::ollama};
    const auto checked = checker.check();
    EXPECT_FALSE(checked.check.ready);
    EXPECT_NE(checked.check.detail.find("HTTP 404"), std::string::npos) << checked.check.detail;
    EXPECT_EQ(checked.connection, nullptr);
}

TEST(CheckRunConnection, AnUnreachableBackendLeavesNoConnectionAndSaysWhy) {
    std::string closed_port;
    {
        asio::io_context io;
        const tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
        closed_port = std::to_string(acceptor.local_endpoint().port());
    }
    checker checker{closed_port, core::backend_kind::ollama};
    const auto checked = checker.check();
    EXPECT_FALSE(checked.check.ready);
    EXPECT_NE(checked.check.detail.find("cannot connect"), std::string::npos) << checked.check.detail;
    EXPECT_EQ(checked.connection, nullptr);
}

}  // namespace
}  // namespace chimera::service
