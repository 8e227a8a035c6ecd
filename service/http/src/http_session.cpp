#include "chimera/http/http_session.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include "chimera/http/bearer_tokens.hpp"
#include "chimera/http/event_stream.hpp"
#include "chimera/http/http_connection.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/http/request_id.hpp"
#include "chimera/telemetry/log.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "response_writer.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
using steady = std::chrono::steady_clock;
using request_parser = http::request_parser<http::string_body>;

namespace {

/// Why a request could not be read; `none` when it was.
enum class read_failure { none, quiet, malformed, body_too_large, header_too_large };

read_failure classify(const boost::system::error_code& ec) {
    if (!ec) return read_failure::none;
    if (ec == http::error::body_limit) return read_failure::body_too_large;
    if (ec == http::error::header_limit) return read_failure::header_too_large;
    // Only what the parser rejects was a request we can answer. Anything else means the client
    // went away, went silent past a timeout, the server is stopping or the connection failed:
    // nobody to answer, or no way to.
    const bool parse_error = ec.category() == make_error_code(http::error::end_of_stream).category() &&
                             ec != http::error::end_of_stream && ec != http::error::partial_message;
    return parse_error ? read_failure::malformed : read_failure::quiet;
}

/// The reply to a request that could not be read; the connection closes after it.
/// Its detail names the limit, never anything of the server's internals.
http_response unreadable_request_reply(read_failure failure, const http_server_limits& limits) {
    http_request dummy{http::verb::unknown, "/", 11};
    dummy.keep_alive(false);
    switch (failure) {
        case read_failure::body_too_large:
            return make_problem(dummy, http::status::payload_too_large,
                                "the request body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
        case read_failure::header_too_large:
            return make_problem(dummy, http::status::request_header_fields_too_large,
                                "the request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes or " +
                                    std::to_string(limits.max_header_count) + " fields");
        default:
            return make_problem(dummy, http::status::bad_request, "the request is not valid HTTP/1.1");
    }
}

/// Who sent a request, as the access log shows it: the connection's peer, and the client
/// behind it when the peer is a trusted proxy that said (X-Forwarded-For).
struct request_origin {
    std::string peer;    ///< "address:port" of the connection
    std::string client;  ///< address of the client
};

/// The access-log line of one answered request. The path without its query string: queries
/// may carry what does not belong in logs. `bytes` counts the response as written, headers included.
void log_access(const request_origin& origin,
                std::string_view request_id,
                http::verb method,
                std::string_view target,
                unsigned status,
                std::size_t bytes,
                steady::time_point start) {
    if (!log_enabled(log_level::info)) {
        return;  // not even the clock read: this runs on every request
    }
    const std::chrono::duration<double, std::milli> took = steady::now() - start;
    const std::string_view method_name = method == http::verb::unknown ? "-" : http::to_string(method);
    log_event(log_level::info, "access",
              {{"method", method_name},
               {"path", target.substr(0, target.find('?'))},
               {"status", std::int64_t{status}},
               {"duration_ms", took.count()},
               {"bytes", static_cast<std::int64_t>(bytes)},
               {"remote", origin.client},
               {"peer", origin.peer},
               {"request_id", request_id}});
}

/// After an error reply the client may still be sending (a body over the limit). Closing with
/// unread bytes would reset the connection and could destroy the reply before the client reads
/// it; so stop sending, read and discard for a bounded time and amount, then close.
awaitable<void> lingering_close(http_connection& connection) {
    connection.shutdown_send();
    connection.expires_after(std::chrono::seconds{2});
    std::array<char, 16384> discard{};
    for (std::size_t drained = 0; drained < (std::size_t{4} << 20);) {
        const auto read = co_await connection.read_some(asio::buffer(discard));
        if (read.error) {
            break;
        }
        drained += read.bytes;
    }
}

using session_context = http_session_context;

/// Answers a request that could not be read and logs it like any other.
awaitable<void> reply_unreadable(http_connection& connection,
                                 const request_parser& parser,
                                 read_failure failure,
                                 const session_context& context,
                                 const request_origin& origin) {
    const auto start = steady::now();
    auto response = unreadable_request_reply(failure, context.limits);
    const auto request_id = generate_request_id();
    response.set(request_id_header, request_id);
    const auto written = co_await write_response(connection, response, std::chrono::seconds{5});
    const bool header_read = parser.is_header_done();
    log_access(origin, request_id, header_read ? parser.get().method() : http::verb::unknown,
               header_read ? std::string_view{parser.get().target()} : std::string_view{}, response.result_int(),
               written.bytes, start);
    if (!written.error) {
        co_await lingering_close(connection);
    }
}

/// Waits up to the keep-alive timeout for a later request to begin. The header timeout
/// starts with its first byte, so an idle kept-alive client is not mistaken for a slow one;
/// a connection's first request has its header timeout run from the connection's opening.
awaitable<bool> next_request_begins(http_connection& connection,
                                    beast::flat_buffer& buffer,
                                    const session_context& context,
                                    bool first) {
    if (first || buffer.size() > 0) {
        co_return true;  // a new connection, or a pipelined request already here
    }
    connection.expires_after(context.limits.keep_alive_timeout);
    const auto read = co_await connection.read_some(buffer.prepare(4096));
    buffer.commit(read.bytes);
    co_return !read.error;
}

/// Parses what is already buffered (what the keep-alive wait read, or a pipelined request):
/// a request that arrived whole needs no read operation, each of which would go through
/// the scheduler once more. need_more when the request is not all there.
boost::system::error_code parse_buffered(beast::flat_buffer& buffer, request_parser& parser) {
    boost::system::error_code ec;
    if (buffer.size() > 0) {
        parser.eager(true);
        buffer.consume(parser.put(buffer.data(), ec));
    }
    return ec;
}

enum class message_part { header, whole };

/// The end of the client's input: the end of a conversation between requests, or a request cut short.
boost::system::error_code input_ended(request_parser& parser) {
    if (!parser.got_some()) {
        return http::error::end_of_stream;
    }
    boost::system::error_code ec;
    parser.put_eof(ec);
    return ec;
}

/// Feeds the parser what is buffered, then what the connection brings, until `part` is in:
/// the loop of Beast's read operations, over any http_connection.
awaitable<boost::system::error_code> read_until(http_connection& connection,
                                                beast::flat_buffer& buffer,
                                                request_parser& parser,
                                                message_part part) {
    constexpr std::size_t read_size = 65536;
    const auto complete = [&] { return part == message_part::header ? parser.is_header_done() : parser.is_done(); };
    while (!complete()) {
        boost::system::error_code ec;
        if (buffer.size() > 0) {
            buffer.consume(parser.put(buffer.data(), ec));
            if (ec != http::error::need_more) {
                if (ec) {
                    co_return ec;
                }
                continue;
            }
        }
        const auto read = co_await connection.read_some(buffer.prepare(read_size));
        if (read.error == asio::error::eof) {
            co_return input_ended(parser);
        }
        if (read.error) {
            co_return read.error;
        }
        buffer.commit(read.bytes);
    }
    co_return boost::system::error_code{};
}

/// Headers within the header timeout and limits, then the body within the body timeout.
awaitable<read_failure> read_request(http_connection& connection,
                                     beast::flat_buffer& buffer,
                                     request_parser& parser,
                                     const http_server_limits& limits) {
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    const auto buffered_ec = parse_buffered(buffer, parser);
    if (buffered_ec && buffered_ec != http::error::need_more) {
        co_return classify(buffered_ec);
    }
    if (!parser.is_header_done()) {
        connection.expires_after(limits.header_read_timeout);
        const auto header_ec = co_await read_until(connection, buffer, parser, message_part::header);
        if (header_ec) {
            co_return classify(header_ec);
        }
    }
    // Beast bounds the header's bytes, not its fields; counted once they are in, within that bound.
    const auto fields = static_cast<std::size_t>(std::distance(parser.get().begin(), parser.get().end()));
    if (fields > limits.max_header_count) {
        co_return read_failure::header_too_large;
    }
    if (parser.is_done()) {
        co_return read_failure::none;
    }
    connection.expires_after(limits.body_read_timeout);
    const auto body_ec = co_await read_until(connection, buffer, parser, message_part::whole);
    co_return classify(body_ec);
}

bool authorized(const http_access_policy& access, std::string_view pattern, const http_request& request) {
    if (access.tokens == nullptr ||
        std::find(access.public_routes.begin(), access.public_routes.end(), pattern) != access.public_routes.end()) {
        return true;
    }
    return access.tokens->accepts(request[http::field::authorization]);
}

/// RFC 6750: a challenge always; `invalid_token` when a token was presented but is not one of ours.
http_response unauthorized_reply(const http_request& request) {
    const bool presented = request.find(http::field::authorization) != request.end();
    auto response = make_problem(
        request, http::status::unauthorized,
        presented ? "the bearer token is not valid" : "this resource needs an Authorization: Bearer <token> header");
    response.set(http::field::www_authenticate,
                 presented ? R"(Bearer realm="chimera", error="invalid_token")" : R"(Bearer realm="chimera")");
    return response;
}

awaitable<http_response> dispatch_if_authorized(const session_context& context,
                                                route_match match,
                                                const http_request& request) {
    if (!authorized(context.access, match.pattern, request)) {
        co_return unauthorized_reply(request);
    }
    auto response = co_await context.routes.dispatch(request, std::move(match));
    co_return response;
}

/// What no route can honour, whatever it is: a header given twice that must be given once (which
/// copy was meant?), a body in an encoding the service does not decode.
/// The headers that must be given at most once; Beast knows the first four by number, the
/// others only by name.
constexpr std::array<std::string_view, 6> singleton_headers{
    "Host", "Authorization", "Content-Type", "Content-Encoding", "Idempotency-Key", request_id_header};

std::optional<std::size_t> singleton_index(const http_request::value_type& field) {
    switch (field.name()) {
        case http::field::host:
            return 0;
        case http::field::authorization:
            return 1;
        case http::field::content_type:
            return 2;
        case http::field::content_encoding:
            return 3;
        case http::field::unknown:
            break;
        default:
            return std::nullopt;
    }
    for (std::size_t i = 4; i < singleton_headers.size(); ++i) {
        if (boost::beast::iequals(field.name_string(), singleton_headers[i])) return i;
    }
    return std::nullopt;
}

std::optional<http_response> unanswerable(const http_request& request) {
    // One pass over the fields: a lookup per singleton would scan them all each time.
    std::array<int, singleton_headers.size()> seen{};
    for (const auto& field : request) {
        const auto index = singleton_index(field);
        if (!index || ++seen[*index] < 2) continue;
        const std::string name{singleton_headers[*index]};
        return make_problem(request, http::status::bad_request, "the " + name + " header is given more than once",
                            name);
    }
    const auto encoding = request.find(http::field::content_encoding);
    if (encoding != request.end() && !boost::beast::iequals(encoding->value(), "identity")) {
        return make_problem(request, http::status::unsupported_media_type,
                            "request bodies are read as sent: Content-Encoding " + std::string{encoding->value()} +
                                " is not supported; send the body uncompressed");
    }
    return std::nullopt;
}

/// Authorises and routes one request, observed in the HTTP metrics under its route pattern.
awaitable<http_response> respond(const session_context& context,
                                 const http_request& request,
                                 steady::time_point start) {
    auto match = context.routes.resolve(request);
    const auto pattern = match.pattern;
    auto refused = unanswerable(request);
    http_response response;
    if (refused) {
        response = std::move(*refused);
    } else {
        response = co_await dispatch_if_authorized(context, std::move(match), request);
    }
    const std::chrono::duration<double> took = steady::now() - start;
    context.metrics.observe_http_request(pattern, response.result_int(), took.count());
    co_return response;
}

/// Counts a stream as open for its lifetime, however the handler leaves.
struct open_stream_count {
    explicit open_stream_count(service_metrics& metrics) : metrics_(metrics) { metrics_.add_event_streams_open(1); }
    ~open_stream_count() { metrics_.add_event_streams_open(-1); }
    open_stream_count(const open_stream_count&) = delete;
    open_stream_count& operator=(const open_stream_count&) = delete;

private:
    service_metrics& metrics_;
};

/// Hands the connection to a stream route; it closes when the stream ends. Observed in the
/// HTTP metrics with the time to the stream's head, not its lifetime.
awaitable<void> serve_stream(http_connection& connection,
                             const session_context& context,
                             const http_request& request,
                             matched_stream_route route,
                             const request_origin& origin,
                             steady::time_point start) {
    const std::string request_id{request[request_id_header]};
    event_stream events{connection, request_id};
    const open_stream_count counted{context.metrics};
    co_await (*route.handler)(request, route.params, events);
    const std::chrono::duration<double> to_head = events.head_sent_at() - start;
    context.metrics.observe_http_request(context.routes.match_pattern(request), events.status(), to_head.count());
    log_access(origin, request_id, request.method(), request.target(), events.status(), events.bytes_written(), start);
}

/// The request's id, the client's when acceptable: set on the request, where handlers (and the
/// run a POST creates) find it. A header given twice is left for unanswerable() to refuse.
std::string adopt_request_id(http_request& request) {
    if (request.count(request_id_header) > 1) return generate_request_id();
    auto id = request_id_for(request[request_id_header]);
    request.set(request_id_header, id);
    return id;
}

bool may_stream(const session_context& context, const http_request& request) {
    return authorized(context.access, context.routes.match_pattern(request), request);
}

}  // namespace

awaitable<void> serve_http_session(http_connection& connection, const http_session_context& context) {
    beast::flat_buffer buffer;  // lives across requests: it may already hold the next pipelined one
    const auto peer_address = connection.remote_address();
    request_origin origin{connection.remote(), peer_address};
    for (bool first = true;; first = false) {
        const bool begins = co_await next_request_begins(connection, buffer, context, first);
        if (!begins) {
            break;
        }
        request_parser parser;
        const auto failure = co_await read_request(connection, buffer, parser, context.limits);
        if (failure == read_failure::quiet) {
            break;
        }
        if (failure != read_failure::none) {
            co_await reply_unreadable(connection, parser, failure, context, origin);
            break;
        }
        const auto start = steady::now();
        http_request request = parser.release();
        origin.client = context.proxies.client_address(peer_address, request["X-Forwarded-For"]);
        const auto request_id = adopt_request_id(request);
        auto stream_route = context.routes.match_stream(request);
        if (stream_route && may_stream(context, request)) {
            co_await serve_stream(connection, context, request, std::move(*stream_route), origin, start);
            break;
        }
        http_response response = co_await respond(context, request, start);
        response.set(request_id_header, request_id);
        if (request.method() == http::verb::head) {
            response.body().clear();
        }
        const auto written = co_await write_response(connection, response, std::chrono::seconds{30});
        log_access(origin, request_id, request.method(), request.target(), response.result_int(), written.bytes, start);
        if (written.error || !response.keep_alive()) {
            break;
        }
    }
    connection.shutdown_send();
}

}  // namespace chimera::service
