#include "chimera/http/http_session.hpp"

#include <exception>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/error.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <gtest/gtest.h>

#include "chimera/http/event_stream.hpp"
#include "chimera/http/http_connection.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/telemetry/log.hpp"
#include "chimera/telemetry/service_metrics.hpp"

// A session run over Beast's test stream, as Beast tests its own operations: the n-th read or
// write fails, for every n until an exchange goes through untouched. Whichever operation
// fails, the session ends on its own, lets no exception out, runs no handler for a request it
// did not read whole, tries nothing more on the failed connection (no reply made up for a
// failed read), and the client has received a prefix of what the untouched exchange sends.

namespace chimera::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// The session's side of a test stream; remembers whether an injected failure hit it, and
/// counts what the session tried after that (Beast's fail_count fails every later operation too).
class test_stream_connection final : public http_connection {
public:
    explicit test_stream_connection(beast::test::stream& stream) : stream_(stream) {}
    ~test_stream_connection() override = default;
    test_stream_connection(const test_stream_connection&) = delete;
    test_stream_connection& operator=(const test_stream_connection&) = delete;
    test_stream_connection(test_stream_connection&&) = delete;
    test_stream_connection& operator=(test_stream_connection&&) = delete;

    awaitable<io_result> read_some(asio::mutable_buffer buffer) override {
        auto [error, bytes] = co_await stream_.async_read_some(buffer, use_tuple);
        co_return noted(io_result{error, bytes});
    }

    awaitable<io_result> write(write_buffers buffers) override {
        auto [error, bytes] = co_await asio::async_write(stream_, buffers, use_tuple);
        co_return noted(io_result{error, bytes});
    }

    void expires_after(std::chrono::steady_clock::duration /*timeout*/) override {}
    void shutdown_send() override { stream_.close(); }
    [[nodiscard]] std::string remote() const override { return "test"; }
    [[nodiscard]] std::string remote_address() const override { return "192.0.2.1"; }

    [[nodiscard]] bool failure_injected() const { return failure_injected_; }
    [[nodiscard]] int operations_after_failure() const { return operations_after_failure_; }

private:
    io_result noted(io_result result) {
        if (failure_injected_) {
            ++operations_after_failure_;
        }
        failure_injected_ = failure_injected_ || result.error == beast::test::error::test_failure;
        return result;
    }

    beast::test::stream& stream_;
    bool failure_injected_ = false;
    int operations_after_failure_ = 0;
};

/// Routes whose calls are counted.
struct counted_routes {
    counted_routes() {
        routes.add_sync(http::verb::get, "/items", [this](const http_request& request, const path_params&) {
            ++items_listed;
            return make_json_response(request, http::status::ok, R"({"items":[]})");
        });
        routes.add_sync(http::verb::post, "/items", [this](const http_request& request, const path_params&) {
            ++items_posted;
            return make_json_response(request, http::status::created,
                                      R"({"received":)" + std::to_string(request.body().size()) + "}");
        });
        routes.add_stream("/events",
                          [this](const http_request&, const path_params&, event_stream& out) -> awaitable<void> {
                              ++streams_opened;
                              if (co_await out.open() && co_await out.send("first", "1")) {
                                  co_await out.send("second", "2");
                              }
                          });
    }

    router routes;
    int items_listed = 0;
    int items_posted = 0;
    int streams_opened = 0;
};

struct exchange {
    std::string received;  ///< what the client got
    std::string log;       ///< what the session logged
    bool ended = false;    ///< the session returned
    std::exception_ptr escaped;
    bool failure_injected = false;
    int operations_after_failure = 0;
    int items_listed = 0;
    int items_posted = 0;
    int streams_opened = 0;
};

/// Sends `input` and closes the client's sending side, then serves the session to its end;
/// the `fail_at`-th operation of the session's stream fails. Reads deliver at most
/// `read_size` bytes, so a request takes several and each is a point of failure.
exchange serve(const std::string& input, std::size_t fail_at, std::size_t read_size = 16) {
    asio::io_context io;
    beast::test::fail_count failures{fail_at};
    beast::test::stream server_side{io, failures};
    beast::test::stream client_side{io};
    server_side.connect(client_side);
    server_side.read_size(read_size);
    server_side.append(input);
    client_side.close();

    counted_routes counted;
    service_metrics metrics;
    const http_session_context context{counted.routes, metrics, {}, {}, {}};
    test_stream_connection connection{server_side};
    exchange result;
    std::ostringstream log;
    configure_logging({log_format::json, log_level::info}, log);
    asio::co_spawn(io, serve_http_session(connection, context), [&](const std::exception_ptr& escaped) {
        result.ended = true;
        result.escaped = escaped;
    });
    io.run();
    configure_logging({});
    result.log = log.str();
    // Ids generated for requests that could not be read differ from run to run: compared as one.
    result.received = std::regex_replace(std::string{client_side.str()}, std::regex{"X-Request-Id: [0-9a-f]{32}"},
                                         "X-Request-Id: generated");
    result.failure_injected = connection.failure_injected();
    result.operations_after_failure = connection.operations_after_failure();
    result.items_listed = counted.items_listed;
    result.items_posted = counted.items_posted;
    result.streams_opened = counted.streams_opened;
    return result;
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

/// Fails each operation in turn until one exchange goes through untouched, checking every
/// faulted one against it; returns the untouched exchange and how many were faulted.
std::pair<exchange, std::size_t> fail_each_operation(const std::string& input) {
    const auto untouched = serve(input, std::numeric_limits<std::size_t>::max());
    for (std::size_t fail_at = 0;; ++fail_at) {
        auto faulted = serve(input, fail_at);
        EXPECT_TRUE(faulted.ended) << "failing operation " << fail_at;
        EXPECT_FALSE(faulted.escaped) << "failing operation " << fail_at;
        EXPECT_TRUE(starts_with(untouched.received, faulted.received))
            << "failing operation " << fail_at << " the client got:\n"
            << faulted.received;
        EXPECT_EQ(faulted.operations_after_failure, 0) << "failing operation " << fail_at;
        EXPECT_LE(faulted.items_listed, untouched.items_listed);
        EXPECT_LE(faulted.items_posted, untouched.items_posted);
        EXPECT_LE(faulted.streams_opened, untouched.streams_opened);
        if (!faulted.failure_injected) {
            EXPECT_EQ(faulted.received, untouched.received);
            return {untouched, fail_at};
        }
    }
}

int count_of(const std::string& text, const std::string& what) {
    int count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++count;
    }
    return count;
}

TEST(http_session, every_failed_read_or_write_of_pipelined_requests_ends_the_session_cleanly) {
    const std::string input =
        "GET /items HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n"
        R"({"name":"a","size":123456})"
        "GET /items HTTP/1.1\r\nHost: x\r\n\r\n";
    const auto [untouched, faulted] = fail_each_operation(input);
    EXPECT_EQ(untouched.items_listed, 2);
    EXPECT_EQ(untouched.items_posted, 1);
    EXPECT_EQ(count_of(untouched.received, "HTTP/1.1 200 OK"), 2);
    EXPECT_NE(untouched.received.find("HTTP/1.1 201 Created"), std::string::npos);
    EXPECT_NE(untouched.received.find(R"({"received":26})"), std::string::npos);
    EXPECT_EQ(count_of(untouched.log, R"("msg":"access")"), 3) << untouched.log;
    EXPECT_GT(faulted, 10U) << "16-byte reads of three requests and three writes";
}

TEST(http_session, every_failed_operation_of_an_event_stream_ends_it_cleanly) {
    const auto [untouched, faulted] = fail_each_operation("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(untouched.streams_opened, 1);
    EXPECT_TRUE(starts_with(untouched.received, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"));
    EXPECT_NE(untouched.received.find("event: second\ndata: 2\n\n"), std::string::npos);
    EXPECT_GE(faulted, 5U) << "reads of the request, the head and two events";
}

TEST(http_session, every_failed_operation_around_a_malformed_request_ends_the_session_cleanly) {
    const auto [untouched, faulted] = fail_each_operation("GET /items HTTP/9.9 nonsense\r\n\r\nand some more bytes");
    EXPECT_TRUE(starts_with(untouched.received, "HTTP/1.1 400 Bad Request"));
    EXPECT_EQ(untouched.items_listed, 0);
    EXPECT_GE(faulted, 3U) << "the read, the reply and the lingering reads";
}

TEST(http_session, a_header_that_must_come_once_given_twice_is_a_400_and_reaches_no_handler) {
    for (const std::string header :
         {"Authorization: Bearer a", "Content-Type: application/json", "Idempotency-Key: k"}) {
        const auto twice =
            serve("POST /items HTTP/1.1\r\nHost: x\r\n" + header + "\r\n" + header + "\r\nContent-Length: 2\r\n\r\n{}",
                  std::numeric_limits<std::size_t>::max());
        EXPECT_TRUE(starts_with(twice.received, "HTTP/1.1 400 Bad Request")) << twice.received;
        EXPECT_NE(twice.received.find("header is given more than once"), std::string::npos) << twice.received;
        EXPECT_EQ(twice.items_posted, 0);
    }
}

TEST(http_session, a_compressed_body_is_a_415_rather_than_bytes_read_as_json) {
    const auto gzip =
        serve("POST /items HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n\x1f\x8b",
              std::numeric_limits<std::size_t>::max());
    EXPECT_TRUE(starts_with(gzip.received, "HTTP/1.1 415 Unsupported Media Type")) << gzip.received;
    EXPECT_EQ(gzip.items_posted, 0);
    const auto identity =
        serve("POST /items HTTP/1.1\r\nHost: x\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}",
              std::numeric_limits<std::size_t>::max());
    EXPECT_EQ(identity.items_posted, 1);
}

TEST(http_session, a_body_cut_short_by_the_client_runs_no_handler) {
    const auto cut = serve("POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part", 1000);
    EXPECT_TRUE(cut.ended);
    EXPECT_EQ(cut.items_posted, 0);
    EXPECT_EQ(cut.received, "");
}

}  // namespace
}  // namespace chimera::service
