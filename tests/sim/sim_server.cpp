#include "sim_server.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>

#include "sim_api_key.hpp"
#include "sim_generate_handler.hpp"
#include "sim_openai_handler.hpp"
#include "sim_routes.hpp"

namespace sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr std::uint64_t body_limit = std::uint64_t{8} * 1024 * 1024;
// Like Go's server (a 4 KiB bufio reader, then the JSON decoder's reads), a typical request is
// read in one or two reads. Beast would start at 512 bytes a read, and the simulator's time to
// read a prompt would then count as the client's in the TTFT overhead (client - simulator).
constexpr std::size_t read_buffer_reserve = std::size_t{16} * 1024;
constexpr std::string_view continue_reply = "HTTP/1.1 100 Continue\r\n\r\n";

void log_failure(std::string_view what, std::exception_ptr e) {
    if (!e) {
        return;
    }
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        std::cerr << "ollama-sim: " << what << ": " << ex.what() << '\n';
    }
}

// Go's net/http answers unreadable requests itself, in plain text, and closes the connection.
std::string_view read_error_reply(const boost::system::error_code& ec) {
    if (ec == http::error::header_limit) {
        return "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Connection: close\r\n\r\n431 Request Header Fields Too Large";
    }
    if (ec == http::error::body_limit) {
        return "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Connection: close\r\n\r\n413 Request Entity Too Large";
    }
    const bool malformed = ec.category() == http::make_error_code(http::error::bad_target).category() &&
                           ec != http::error::end_of_stream && ec != http::error::partial_message;
    return malformed ? "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                       "Connection: close\r\n\r\n400 Bad Request"
                     : "";
}

// Counts the connection as open for exactly the session's lifetime, however it ends.
class open_connection {
public:
    explicit open_connection(sim_stats& stats) : stats_{stats}, id_{stats.connection_opened()} {}
    open_connection(const open_connection&) = delete;
    open_connection& operator=(const open_connection&) = delete;
    ~open_connection() { stats_.connection_closed(); }

    std::uint64_t id() const { return id_; }

private:
    sim_stats& stats_;
    std::uint64_t id_;
};

}  // namespace

sim_server::sim_server(sim_config config) : state_{std::move(config)} {}

void sim_server::run() {
    tcp::resolver resolver{ioc_};
    const tcp::endpoint endpoint =
        resolver.resolve(state_.config.host, std::to_string(state_.config.port), tcp::resolver::passive)
            .begin()
            ->endpoint();
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    std::cout << "listening on " << acceptor_.local_endpoint() << std::endl;

    // The sim holds nothing worth draining: stopping the loop is a clean exit.
    signals_.async_wait([this](const boost::system::error_code&, int) {
        acceptor_.close();
        ioc_.stop();
    });
    net::co_spawn(ioc_, accept_loop(), [](std::exception_ptr e) { log_failure("accept loop", e); });
    ioc_.run();
}

net::awaitable<void> sim_server::accept_loop() {
    net::steady_timer backoff{ioc_};
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
        if (ec == net::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            // E.g. out of file descriptors: retry later rather than spin.
            backoff.expires_after(std::chrono::milliseconds{50});
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        // Go enables TCP_NODELAY, so every token goes out as soon as it is written.
        socket.set_option(tcp::no_delay(true), ec);
        net::co_spawn(ioc_, serve_connection(std::move(socket)),
                      [](std::exception_ptr e) { log_failure("session", e); });
    }
}

net::awaitable<void> sim_server::serve_connection(tcp::socket socket) {
    const open_connection connection{state_.stats};
    beast::flat_buffer buffer;  // outlives requests: it may hold the next pipelined one
    buffer.reserve(read_buffer_reserve);
    for (;;) {
        if (!co_await await_request(socket, buffer, connection.id())) {
            break;
        }
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        auto [ec, n] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
        if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            // Go's server sends this when the handler reads the body; curl otherwise waits 1 s.
            std::tie(ec, n) = co_await net::async_write(socket, net::buffer(continue_reply), use_tuple);
        }
        if (!ec) {
            std::tie(ec, n) = co_await http::async_read(socket, buffer, parser, use_tuple);
        }
        if (ec) {
            if (const auto reply = read_error_reply(ec); !reply.empty()) {
                co_await net::async_write(socket, net::buffer(reply), use_tuple);
            }
            break;
        }
        const auto received = clock::now();
        if (!co_await serve_request(socket, parser.get(), connection.id(), received)) {
            break;
        }
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
}

net::awaitable<bool> sim_server::await_request(tcp::socket& socket,
                                               const beast::flat_buffer& buffer,
                                               std::uint64_t connection_id) {
    if (buffer.size() > 0) {
        co_return true;  // a pipelined request has begun: the connection was never idle
    }
    // Idle until the next request's first byte (or EOF, which the header read then reports).
    const idle_period idle{state_.idle, connection_id, socket};
    const auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
    co_return !ec;
}

net::awaitable<bool> sim_server::serve_request(tcp::socket& socket,
                                               const request& req,
                                               std::uint64_t connection_id,
                                               clock::time_point received) {
    if (auto refusal = refuse_without_api_key(req, state_.config)) {
        state_.stats.request_unauthorized();
        const auto [ec, n] = co_await http::async_write(socket, *refusal, use_tuple);
        co_return !ec && refusal->keep_alive();
    }
    auto routed = route(req, state_.config.engine_kind);
    const auto* target = std::get_if<endpoint>(&routed);
    if (target && *target == endpoint::generate) {
        co_return co_await serve_generate(socket, req, state_, connection_id, received);
    }
    if (target && (*target == endpoint::chat_completions || *target == endpoint::completions)) {
        const auto api = *target == endpoint::chat_completions ? openai_api::chat : openai_api::completions;
        co_return co_await serve_openai(socket, req, state_, connection_id, received, api);
    }
    auto res = target ? handle_immediate(*target, req, state_) : std::get<response>(std::move(routed));
    const auto [ec, n] = co_await http::async_write(socket, res, use_tuple);
    co_return !ec && res.keep_alive();
}

}  // namespace sim
