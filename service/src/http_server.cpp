#include "http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "log.hpp"
#include "problem_response.hpp"
#include "service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool is_quiet_end(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::eof;
}

/// The reply to a request that could not be read as HTTP; the connection closes after it.
http_response unreadable_request_reply(const boost::system::error_code& ec) {
    http_request dummy{http::verb::unknown, "/", 11};
    dummy.keep_alive(false);
    const auto status = ec == http::error::body_limit ? http::status::payload_too_large : http::status::bad_request;
    return make_problem(dummy, status, "the request could not be read: " + ec.message());
}

std::string remote_of(const beast::tcp_stream& stream) {
    boost::system::error_code ec;
    const auto endpoint = stream.socket().remote_endpoint(ec);
    return ec ? std::string{"-"} : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

/// The access-log line of one answered request. The path without its query string: queries
/// may carry what does not belong in logs. `bytes` counts the response as written, headers included.
void log_access(const std::string& remote,
                http::verb method,
                std::string_view target,
                unsigned status,
                std::size_t bytes,
                steady::time_point start) {
    const std::chrono::duration<double, std::milli> took = steady::now() - start;
    const std::string_view method_name = method == http::verb::unknown ? "-" : http::to_string(method);
    log_event(log_level::info, "access",
              {{"method", method_name},
               {"path", target.substr(0, target.find('?'))},
               {"status", std::int64_t{status}},
               {"duration_ms", took.count()},
               {"bytes", static_cast<std::int64_t>(bytes)},
               {"remote", remote}});
}

/// Answers a request that could not be read, and logs it like any other.
awaitable<void> reply_unreadable(beast::tcp_stream& stream,
                                 const http::request_parser<http::string_body>& parser,
                                 const boost::system::error_code& read_ec,
                                 const std::string& remote) {
    const auto start = steady::now();
    const auto response = unreadable_request_reply(read_ec);
    stream.expires_after(std::chrono::seconds{5});
    auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
    const bool header_read = parser.is_header_done();
    log_access(remote, header_read ? parser.get().method() : http::verb::unknown,
               header_read ? std::string_view{parser.get().target()} : std::string_view{}, response.result_int(),
               written, start);
}

/// Routes one request, observed in the HTTP metrics under its route pattern.
awaitable<http_response> respond(const router& routes, service_metrics& metrics, const http_request& request) {
    const auto start = std::chrono::steady_clock::now();
    http_response response = co_await routes.dispatch(request);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    metrics.observe_http_request(routes.match_pattern(request), response.result_int(), took.count());
    co_return response;
}

awaitable<void> serve_session(beast::tcp_stream stream,
                              const router& routes,
                              service_metrics& metrics,
                              http_server_limits limits) {
    beast::flat_buffer buffer;  // lives across requests: it may already hold the next pipelined one
    const auto remote = remote_of(stream);
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(limits.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        stream.expires_after(limits.idle_timeout);
        auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (read_ec) {
            if (!is_quiet_end(read_ec) && read_bytes > 0) {
                co_await reply_unreadable(stream, parser, read_ec, remote);
            }
            break;
        }
        const auto start = steady::now();
        const http_request request = parser.release();
        http_response response = co_await respond(routes, metrics, request);
        if (request.method() == http::verb::head) {
            response.body().clear();
        }
        stream.expires_after(std::chrono::seconds{30});
        auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
        log_access(remote, request.method(), request.target(), response.result_int(), written, start);
        if (write_ec || !response.keep_alive()) {
            break;
        }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void log_session_end(const std::exception_ptr& failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        spdlog::warn("HTTP session ended with an error: {}", e.what());
    }
}

}  // namespace

http_server::http_server(asio::any_io_executor executor,
                         const tcp::endpoint& endpoint,
                         const router& routes,
                         service_metrics& metrics,
                         http_server_limits limits)
    : acceptor_(executor, endpoint), routes_(routes), metrics_(metrics), limits_(limits) {}

tcp::endpoint http_server::local_endpoint() const { return acceptor_.local_endpoint(); }

void http_server::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](const std::exception_ptr& failure) { log_session_end(failure); });
}

void http_server::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

awaitable<void> http_server::accept_loop() {
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            spdlog::warn("accept failed: {}", ec.message());
            continue;
        }
        socket.set_option(tcp::no_delay{true}, ec);
        asio::co_spawn(acceptor_.get_executor(),
                       serve_session(beast::tcp_stream{std::move(socket)}, routes_, metrics_, limits_),
                       log_session_end);
    }
}

}  // namespace chimera::service
