#include "chimera/backend/streaming_call.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>

#include "backend_error_body.hpp"
#include "backend_wire.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/run/run_failure.hpp"
#include "read_pacing.hpp"
#include "stamped_stream_reader.hpp"
#include "stream_body_decoder.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

double ms_between(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Chooses the expiry of the next read: the per-phase timeout, cut short by the
/// call deadline, remembering which of the two it was so a timeout can be named.
class call_clock {
public:
    /// `deadline_name` names the deadline when it fires: the flag a user sets it with.
    call_clock(const backend_settings& settings,
               const backend_wire& wire,
               steady::time_point start,
               const char* deadline_name = "call-timeout")
        : settings_(settings), wire_(wire), deadline_(start + settings.call_timeout), deadline_name_(deadline_name) {}

    [[nodiscard]] steady::time_point arm(std::chrono::milliseconds phase_timeout, const char* phase_name) {
        const auto phase_end = steady::now() + phase_timeout;
        if (phase_end < deadline_) {
            armed_name_ = phase_name;
            armed_ms_ = phase_timeout.count();
            return phase_end;
        }
        armed_name_ = deadline_name_;
        armed_ms_ = settings_.call_timeout.count();
        return deadline_;
    }

    void arm(beast::tcp_stream& stream, std::chrono::milliseconds phase_timeout, const char* phase_name) {
        stream.expires_at(arm(phase_timeout, phase_name));
    }

    [[nodiscard]] core::run_failure timeout_failure() const {
        return core::run_failure::timed_out(std::string{armed_name_} + " fired: " + wire_.who + " sent nothing for " +
                                                std::to_string(armed_ms_) + " ms",
                                            core::call_retry::unsafe);
    }

private:
    const backend_settings& settings_;
    const backend_wire& wire_;
    steady::time_point deadline_;
    const char* deadline_name_;
    const char* armed_name_ = "";
    std::int64_t armed_ms_ = 0;
};

/// The body is the caller's, which outlives the call: a copy would be held by every
/// streaming call for as long as it streams.
using generate_request = http::request<http::span_body<const char>>;

generate_request make_generate_request(const backend_settings& settings,
                                       const backend_wire& wire,
                                       const std::string& body) {
    generate_request request{http::verb::post, wire.generate_target, 11};
    set_backend_headers(request, settings);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, wire.stream_media_type);
    request.set(http::field::user_agent, "chimera/0.1");
    request.keep_alive(true);
    request.body() = {body.data(), body.size()};
    request.prepare_payload();
    return request;
}

/// Consumes decoder events into the result; throws on error and malformed lines.
class generation_assembler {
public:
    generation_assembler(steady::time_point start, const token_sink& on_tokens, const backend_wire& wire)
        : start_(start), on_tokens_(on_tokens), wire_(wire) {}

    /// `arrived` is when the read that delivered the events completed: one clock read
    /// per read, not per token, and the first token's TTFT is that read's time. Returns
    /// the number of tokens the events held.
    std::size_t consume(std::vector<core::stream_event>& events, steady::time_point arrived, streamed_generation& out) {
        const bool had_tokens = first_token_seen_;
        const std::size_t text_before = out.text.size();
        std::size_t tokens = 0;
        try {
            for (auto& event : events) {
                std::visit([&](auto& e) { on(e, arrived, tokens, out); }, event);
            }
        } catch (...) {
            // An error line after tokens of the same read: the tokens still streamed, and a
            // failed call's record counts them.
            events.clear();
            report(had_tokens, tokens, text_before, arrived, out);
            throw;
        }
        events.clear();
        report(had_tokens, tokens, text_before, arrived, out);
        return tokens;
    }

    [[nodiscard]] bool done() const { return done_; }

    /// Whether the first token has been seen, after which reads may be held back (read_pacing).
    [[nodiscard]] bool streaming() const { return first_token_seen_; }

private:
    void report(bool had_tokens,
                std::size_t tokens,
                std::size_t text_before,
                steady::time_point arrived,
                const streamed_generation& out) {
        if (tokens == 0) {
            return;
        }
        token_batch batch{0.0, had_tokens ? tokens : tokens - 1, std::string_view{out.text}.substr(text_before)};
        if (had_tokens) {
            batch.gap_seconds =
                std::chrono::duration<double>(arrived - last_token_).count() / static_cast<double>(tokens);
        }
        last_token_ = arrived;
        if (on_tokens_) {
            on_tokens_(batch);
        }
    }

    void on(core::token_event& e, steady::time_point arrived, std::size_t& tokens, streamed_generation& out) {
        if (e.text.empty()) {
            return;
        }
        ++tokens;
        if (!first_token_seen_) {
            first_token_seen_ = true;
            first_token_ = arrived;
            out.timings.ttft_ms = ms_between(start_, arrived);
        }
        last_content_ = arrived;
        out.text += e.text;
    }

    void on(core::done_event& e, steady::time_point arrived, std::size_t& /*tokens*/, streamed_generation& out) {
        done_ = true;
        out.stats = e.stats;
        out.timings.stream_ms = ms_between(start_, arrived);
        if (!first_token_seen_) {
            out.timings.ttft_ms = out.timings.stream_ms;
        } else {
            out.timings.decode_ms = ms_between(first_token_, last_content_);
        }
        if (!e.stats.done_reason.empty() && e.stats.done_reason == "load") {
            throw core::run_failure::protocol_error("Ollama answered with a load-only reply; no text was generated");
        }
    }

    void on(core::error_event& e,
            steady::time_point /*arrived*/,
            std::size_t& /*tokens*/,
            streamed_generation& /*out*/) const {
        throw core::run_failure::midstream_error(wire_.who + " reported an error mid-stream: " + e.message);
    }

    void on(core::malformed_event& e,
            steady::time_point /*arrived*/,
            std::size_t& /*tokens*/,
            streamed_generation& /*out*/) const {
        throw core::run_failure::protocol_error(wire_.who + " sent " + wire_.not_a_chunk + ": " + e.detail);
    }

    steady::time_point start_;
    steady::time_point last_token_;    ///< arrival of the last read that brought tokens: the gaps
    steady::time_point first_token_;   ///< arrival of the first non-empty token: TTFT's end
    steady::time_point last_content_;  ///< arrival of the last non-empty token: the decode time's end
    const token_sink& on_tokens_;
    const backend_wire& wire_;
    bool first_token_seen_ = false;
    bool done_ = false;
};

/// How a kept-alive connection the backend closed while idle shows up. Anything else —
/// above all operation_aborted from a cancellation closing our own socket — is not
/// a stale connection and must not be retried on a new one.
bool closed_by_peer(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
}

/// When the bytes that completed a response header arrived; none when a reused connection
/// turned out to be dead before any byte came back (safe to retry).
using header_arrival = std::optional<steady::time_point>;

/// Reads until the response header is parsed. Body bytes that came with it (Ollama sends
/// the header with the first token) stay in the buffer.
awaitable<header_arrival> read_header(stamped_stream_reader& reader,
                                      beast::flat_buffer& buffer,
                                      http::response_parser<http::buffer_body>& parser,
                                      call_clock& clock,
                                      const backend_settings& settings,
                                      const backend_wire& wire,
                                      bool reused) {
    std::size_t received = 0;
    for (;;) {
        const auto got = co_await reader.read_waiting(clock.arm(settings.headers_timeout, "headers-timeout"));
        if (got.ec == beast::error::timeout) {
            throw clock.timeout_failure();
        }
        if (got.ec && reused && received == 0 && closed_by_peer(got.ec)) {
            co_return std::nullopt;
        }
        if (got.ec) {
            throw core::run_failure::closed_before_answer(
                wire.who + " closed the connection before answering: " + got.ec.message(),
                received == 0 ? core::call_retry::safe : core::call_retry::unsafe);
        }
        received += got.bytes;
        boost::system::error_code ec;
        buffer.consume(parser.put(buffer.data(), ec));
        if (parser.is_header_done()) {
            co_return got.arrived;
        }
        if (ec != http::error::need_more) {
            throw core::run_failure::protocol_error(wire.who + "'s response header is not valid HTTP: " + ec.message());
        }
    }
}

/// Sends the request and reads the response header.
awaitable<header_arrival> send_and_read_header(beast::tcp_stream& stream,
                                               stamped_stream_reader& reader,
                                               beast::flat_buffer& buffer,
                                               generate_request& request,
                                               http::response_parser<http::buffer_body>& parser,
                                               call_clock& clock,
                                               const backend_settings& settings,
                                               const backend_wire& wire,
                                               bool reused) {
    clock.arm(stream, settings.idle_timeout, "idle-timeout");
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (!write_ec) {
        co_return co_await read_header(reader, buffer, parser, clock, settings, wire, reused);
    }
    if (write_ec == beast::error::timeout) {
        throw clock.timeout_failure();
    }
    if (reused && closed_by_peer(write_ec)) {
        co_return std::nullopt;
    }
    throw core::run_failure::unreachable("sending the request to " + wire.who + " failed: " + write_ec.message());
}

core::run_failure broken_off(const boost::system::error_code& ec, const backend_wire& wire) {
    return core::run_failure::truncated("the " + wire.who + " stream broke off before " + wire.end_marker + ": " +
                                        ec.message());
}

/// Reads the body of a reply whose header `parser` has read into `body`, through the stamped
/// reader the calls read with, each read bounded by `read_timeout`. Returns why it stopped short
/// of the end, if it did; a body longer than `limit` stops there.
awaitable<std::optional<core::run_failure>> read_body(stamped_stream_reader& reader,
                                                      beast::flat_buffer& buffer,
                                                      http::response_parser<http::buffer_body>& parser,
                                                      call_clock& clock,
                                                      std::chrono::milliseconds read_timeout,
                                                      const backend_wire& wire,
                                                      std::size_t limit,
                                                      std::string& body) {
    std::array<char, 4096> chunk{};
    for (;;) {
        boost::system::error_code ec;
        while (buffer.size() > 0 && !parser.is_done() && !ec) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            buffer.consume(parser.put(buffer.data(), ec));
            body.append(chunk.data(), chunk.size() - parser.get().body().size);
            if (ec == http::error::need_buffer) ec = {};
        }
        if (ec && ec != http::error::need_more) {
            co_return core::run_failure::protocol_error(wire.who + "'s reply is not valid HTTP: " + ec.message());
        }
        if (parser.is_done()) co_return std::nullopt;
        if (body.size() > limit) {
            co_return core::run_failure::protocol_error(wire.who + "'s reply is longer than " + std::to_string(limit) +
                                                        " bytes");
        }
        auto got = co_await reader.read_waiting(clock.arm(read_timeout, "idle-timeout"));
        if (got.ec == asio::error::eof) {
            parser.put_eof(got.ec);
            if (!got.ec) co_return std::nullopt;
        }
        if (got.ec == beast::error::timeout) co_return clock.timeout_failure();
        if (got.ec) co_return core::run_failure::truncated(wire.who + "'s reply broke off: " + got.ec.message());
    }
}

constexpr std::size_t error_body_limit = 64 * 1024;
constexpr std::size_t fetched_body_limit = 1024 * 1024;

/// Reads a non-200 reply (what of it comes, up to 64 KiB) and turns it into the failure a user sees.
awaitable<void> throw_http_error(stamped_stream_reader& reader,
                                 beast::flat_buffer& buffer,
                                 http::response_parser<http::buffer_body>& parser,
                                 call_clock& clock,
                                 const backend_wire& wire) {
    std::string body;
    // Whatever cut the error body short, the status and what did come say more than that.
    static_cast<void>(
        co_await read_body(reader, buffer, parser, clock, std::chrono::seconds{10}, wire, error_body_limit, body));
    const auto status = parser.get().result_int();
    throw core::run_failure::http_status(
        status, wire.who + " answered HTTP " + std::to_string(status) + ": " + backend_error_message(body));
}

/// Turns the response body, as it is read, into decoder events for the assembler.
/// The parser is eager, so one call to take() parses every chunk the buffer holds:
/// all tokens of one socket read reach the assembler together.
class body_reader {
public:
    body_reader(beast::flat_buffer& buffer,
                http::response_parser<http::buffer_body>& parser,
                generation_assembler& assembler,
                streamed_generation& out,
                const backend_settings& settings,
                const backend_wire& wire)
        : buffer_(buffer), parser_(parser), assembler_(assembler), out_(out), wire_(wire), decoder_(settings.kind) {
        parser_.eager(true);
    }

    /// Parses what the buffer holds; `arrived` is when those bytes were read. Returns the
    /// number of tokens they completed.
    std::size_t take(steady::time_point arrived) {
        boost::system::error_code ec;
        while (buffer_.size() > 0 && !parser_.is_done() && !ec) {
            parser_.get().body().data = chunk_.data();
            parser_.get().body().size = chunk_.size();
            const auto used = parser_.put(buffer_.data(), ec);
            buffer_.consume(used);
            decoder_.feed({chunk_.data(), chunk_.size() - parser_.get().body().size}, events_);
            if (ec == http::error::need_buffer) {
                ec = {};  // the chunk was full and is decoded: parse on into it
            }
        }
        const auto tokens = assembler_.consume(events_, arrived, out_);
        if (ec && ec != http::error::need_more) {
            throw broken_off(ec, wire_);
        }
        return tokens;
    }

    [[nodiscard]] bool streaming() const { return assembler_.streaming(); }

    /// The end of the body: decodes what the decoder still holds and checks that the stream
    /// ended as it should (Ollama's done:true, the OpenAI-compatible [DONE]).
    void finish() {
        decoder_.finish(events_);
        assembler_.consume(events_, steady::now(), out_);
        if (!assembler_.done()) {
            throw core::run_failure::truncated("the " + wire_.who + " stream ended without " + wire_.missing_end);
        }
    }

    [[nodiscard]] const backend_wire& wire() const { return wire_; }

private:
    beast::flat_buffer& buffer_;
    http::response_parser<http::buffer_body>& parser_;
    generation_assembler& assembler_;
    streamed_generation& out_;
    const backend_wire& wire_;
    stream_body_decoder decoder_;
    std::vector<core::stream_event> events_;
    std::array<char, 4096> chunk_{};  // lives as long as the call, so small: a big read takes a few turns through it
};

/// How the next read of a stream is made.
enum class next_read {
    wait,  ///< for the socket to become readable: the stream is slow, or has not started
    hold,  ///< when read_pacing says, the socket kept quiet meanwhile
    /// at once, without waiting: the read filled its buffer, so the socket holds more (a long
    /// final line; a fast stream's window before its reads have grown). The socket stays quiet:
    /// lowering its watermark for this read and raising it again for the next window cost two
    /// setsockopt calls, and the lowering signalled a readiness that woke epoll once more per
    /// window with nothing to do.
    drain,
};

/// Reads the socket directly rather than through http::async_read_some, which hands
/// over one chunk per call and, when it stops inside a chunk header, reads on before
/// returning the chunks it already parsed. The EOF handling follows Beast's.
awaitable<void> read_stream(stamped_stream_reader& socket_reader,
                            http::response_parser<http::buffer_body>& parser,
                            call_clock& clock,
                            const backend_settings& settings,
                            body_reader& reader,
                            steady::time_point header_arrived) {
    reader.take(header_arrived);  // body bytes that came with the header
    read_pacing pacing{steady::now()};
    auto due = steady::now();  // when a held-back read is made
    auto next = next_read::wait;
    while (!parser.is_done()) {
        if (next == next_read::hold) {
            co_await socket_reader.hold_until(due);
        }
        auto got = next == next_read::wait ? stamped_read{} : socket_reader.read_now();
        if (got.bytes == 0 && !got.ec && next != next_read::drain) {
            got = co_await socket_reader.read_waiting(clock.arm(settings.idle_timeout, "idle-timeout"));
        }
        const auto now = steady::now();
        const auto tokens = reader.take(got.bytes > 0 ? got.arrived : now);
        if (got.ec == asio::error::eof) {
            got.ec = {};
            parser.put_eof(got.ec);  // completes a body delimited by the close, else partial_message
        }
        if (got.ec == beast::error::timeout) {
            throw clock.timeout_failure();
        }
        if (got.ec) {
            throw broken_off(got.ec, reader.wire());
        }
        if (got.filled) {
            pacing.after_drain(tokens);
            next = next_read::drain;
            continue;
        }
        const auto held_until = pacing.after_read(now, tokens, reader.streaming());
        next = held_until ? next_read::hold : next_read::wait;
        due = held_until.value_or(now);
    }
    socket_reader.release();  // the connection may serve another call
    reader.finish();
}

/// Takes the run's connection, or one from the pool. Returns whether the connection had
/// served a request before (it may have died idle).
awaitable<bool> ensure_connection(generate_call_context& context, backend_connection& connection) {
    if (connection) co_return true;
    auto acquired = co_await context.pool.acquire();
    connection = std::move(acquired.connection);
    co_return acquired.reused;
}

/// Lets the run's cancellation close the connection while the call uses it.
std::optional<run_cancellation::attachment> expose(generate_call_context& context, beast::tcp_stream& stream) {
    if (context.cancellation == nullptr) return std::nullopt;
    return context.cancellation->attach(stream);
}

awaitable<streamed_generation> exchange(generate_call_context& context,
                                        backend_connection& connection,
                                        const std::string& body,
                                        steady::time_point start) {
    const auto wire = wire_of(context.settings);
    call_clock clock{context.settings, wire, start};
    auto request = make_generate_request(context.settings, wire, body);
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::buffer_body>> parser;
    parser.emplace();
    std::optional<stamped_stream_reader> socket_reader;
    const bool reused = co_await ensure_connection(context, connection);
    auto exposed = expose(context, *connection);
    socket_reader.emplace(*connection, buffer);
    auto arrived = co_await send_and_read_header(*connection, *socket_reader, buffer, request, *parser, clock,
                                                 context.settings, wire, reused);
    if (!arrived) {
        connection = co_await context.pool.connect();
        exposed = expose(context, *connection);
        socket_reader.emplace(*connection, buffer);
        parser.emplace();
        buffer.clear();
        arrived = co_await send_and_read_header(*connection, *socket_reader, buffer, request, *parser, clock,
                                                context.settings, wire, false);
    }
    parser->body_limit(boost::none);  // the decoder bounds each line; a long generation is legitimate
    if (parser->get().result() != http::status::ok) {
        co_await throw_http_error(*socket_reader, buffer, *parser, clock, wire);
    }
    streamed_generation out;
    generation_assembler assembler{start, context.on_token, wire};
    body_reader reader{buffer, *parser, assembler, out, context.settings, wire};
    co_await read_stream(*socket_reader, *parser, clock, context.settings, reader, arrived.value_or(start));
    if (!parser->keep_alive()) {
        connection.reset();
    }
    co_return out;
}

}  // namespace

awaitable<fetched_reply> fetch_over_call_path(beast::tcp_stream& stream,
                                              const backend_settings& settings,
                                              const char* target,
                                              std::chrono::milliseconds timeout) {
    // One bound for the whole exchange: every phase's timeout is the deadline.
    auto bounded = settings;
    bounded.headers_timeout = bounded.idle_timeout = bounded.call_timeout = timeout;
    const auto wire = wire_of(settings);
    call_clock clock{bounded, wire, steady::now(), "the probe's timeout"};
    generate_request request{http::verb::get, target, 11};
    set_backend_headers(request, settings);
    request.keep_alive(true);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    stamped_stream_reader reader{stream, buffer};
    // Not a reused connection's request: a close before the answer throws rather than asking for a retry.
    co_await send_and_read_header(stream, reader, buffer, request, parser, clock, bounded, wire, false);
    fetched_reply reply;
    if (auto failure =
            co_await read_body(reader, buffer, parser, clock, timeout, wire, fetched_body_limit, reply.body)) {
        throw std::move(*failure);
    }
    reader.release();
    reply.status = parser.get().result_int();
    co_return reply;
}

awaitable<streamed_generation> stream_generate(generate_call_context& context,
                                               backend_connection& connection,
                                               const std::string& body) {
    const auto start = steady::now();
    std::exception_ptr failure;
    try {
        co_return co_await exchange(context, connection, body, start);
    } catch (...) {
        failure = std::current_exception();
    }
    connection.reset();  // its state is unknown: never reuse it
    if (context.cancellation != nullptr && context.cancellation->cancelled()) {
        throw core::run_failure::cancelled("the run was cancelled while its LLM call was streaming");
    }
    std::rethrow_exception(failure);
}

}  // namespace chimera::service
