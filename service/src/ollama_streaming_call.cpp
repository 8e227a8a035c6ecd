#include "ollama_streaming_call.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "chimera/core/ndjson_stream_decoder.hpp"
#include "run_cancellation.hpp"
#include "run_failure.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Once tokens come faster than one per window, the next read waits out the rest of the
/// window, so one wake-up and one recv take all the tokens of the window instead of one
/// each (at 20,000 tok/s, 40 instead of 1): the wake-up of the io thread, not the tokens,
/// is most of what a read costs. What it costs in accuracy: nothing measured. The first
/// token is never held back, so TTFT is untouched; a read after a window times its bytes
/// by the kernel's receive stamp, so the end of the stream (stream_ms) is when the final
/// chunk arrived, not when the window ended; the gaps within a window are spread evenly
/// (token_batch), so the histogram keeps the backend's cadence. What it costs a listener
/// to the run's events: tokens come in bursts, at most a window late. A stream slower
/// than one token per window is never held back at all.
constexpr auto coalescing_window = std::chrono::microseconds{2000};

/// Well above what a window's tokens add up to, and small enough (half the default
/// receive buffer) that setting it leaves the receive window alone.
constexpr int coalescing_low_watermark = 32 * 1024;

/// Bytes asked of one socket read. A call keeps its buffer for as long as it streams, and
/// a buffer grows to the largest read asked of it: 64 KiB reads made every streaming call
/// hold up to 64 KiB (with 1,000 runs streaming, 53 MB became 79 MB). A slow stream's
/// read brings one token line (~100 bytes), a fast stream's 2 ms window about 40; a read
/// that fills the buffer reads on at once, so more costs one more recvmsg, not a window.
constexpr std::size_t read_size = 4096;

double ms_between(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Chooses the expiry of the next read: the per-phase timeout, cut short by the
/// call deadline, remembering which of the two it was so a timeout can be named.
class call_clock {
public:
    call_clock(const backend_settings& settings, steady::time_point start)
        : settings_(settings), deadline_(start + settings.call_timeout) {}

    void arm(beast::tcp_stream& stream, std::chrono::milliseconds phase_timeout, const char* phase_name) {
        const auto now = steady::now();
        if (now + phase_timeout < deadline_) {
            armed_name_ = phase_name;
            armed_ms_ = phase_timeout.count();
            stream.expires_after(phase_timeout);
        } else {
            armed_name_ = "call-timeout";
            armed_ms_ = settings_.call_timeout.count();
            stream.expires_at(deadline_);
        }
    }

    [[nodiscard]] run_failure timeout_failure() const {
        return {"timeout",
                std::string{armed_name_} + " fired: Ollama sent nothing for " + std::to_string(armed_ms_) + " ms",
                llm_outcome::timeout};
    }

private:
    const backend_settings& settings_;
    steady::time_point deadline_;
    const char* armed_name_ = "";
    std::int64_t armed_ms_ = 0;
};

/// The body is the caller's, which outlives the call: a copy would be held by every
/// streaming call for as long as it streams.
using generate_request = http::request<http::span_body<const char>>;

generate_request make_generate_request(const backend_settings& settings, const std::string& body) {
    generate_request request{http::verb::post, "/api/generate", 11};
    request.set(http::field::host, settings.endpoint.authority());
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/x-ndjson");
    request.set(http::field::user_agent, "chimera/0.1");
    request.keep_alive(true);
    request.body() = {body.data(), body.size()};
    request.prepare_payload();
    return request;
}

std::string ollama_error_message(const std::string& body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
        return parsed["error"].get<std::string>();
    }
    return body.substr(0, 200);
}

/// Consumes decoder events into the result; throws on error and malformed lines.
class generation_assembler {
public:
    generation_assembler(steady::time_point start, const token_sink& on_tokens)
        : start_(start), on_tokens_(on_tokens) {}

    /// `arrived` is when the read that delivered the events completed: one clock read
    /// per read, not per token, and the first token's TTFT is that read's time.
    void consume(std::vector<core::stream_event>& events, steady::time_point arrived, streamed_generation& out) {
        const bool had_tokens = first_token_seen_;
        const std::size_t text_before = out.text.size();
        std::size_t tokens = 0;
        for (auto& event : events) {
            std::visit([&](auto& e) { on(e, arrived, tokens, out); }, event);
        }
        events.clear();
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

    [[nodiscard]] bool done() const { return done_; }

    /// Whether the first token has been seen, after which reads may be coalesced.
    [[nodiscard]] bool streaming() const { return first_token_seen_; }

private:
    void on(core::token_event& e, steady::time_point arrived, std::size_t& tokens, streamed_generation& out) {
        if (e.text.empty()) {
            return;
        }
        ++tokens;
        if (!first_token_seen_) {
            first_token_seen_ = true;
            out.timings.ttft_ms = ms_between(start_, arrived);
        }
        out.text += e.text;
    }

    void on(core::done_event& e, steady::time_point arrived, std::size_t& /*tokens*/, streamed_generation& out) {
        done_ = true;
        out.stats = e.stats;
        out.timings.stream_ms = ms_between(start_, arrived);
        if (!first_token_seen_) {
            out.timings.ttft_ms = out.timings.stream_ms;
        }
        if (!e.stats.done_reason.empty() && e.stats.done_reason == "load") {
            throw run_failure("backend_protocol_error", "Ollama answered with a load-only reply; no text was generated",
                              llm_outcome::midstream_error);
        }
    }

    static void on(core::error_event& e,
                   steady::time_point /*arrived*/,
                   std::size_t& /*tokens*/,
                   streamed_generation& /*out*/) {
        throw run_failure("backend_error", "Ollama reported an error mid-stream: " + e.message,
                          llm_outcome::midstream_error);
    }

    static void on(core::malformed_event& e,
                   steady::time_point /*arrived*/,
                   std::size_t& /*tokens*/,
                   streamed_generation& /*out*/) {
        throw run_failure("backend_protocol_error", "Ollama sent a line that is not a generate chunk: " + e.detail,
                          llm_outcome::midstream_error);
    }

    steady::time_point start_;
    steady::time_point last_token_;
    const token_sink& on_tokens_;
    bool first_token_seen_ = false;
    bool done_ = false;
};

/// Holds reads back while a stream is fast (see coalescing_window). Not reading is not
/// enough: epoll would still wake the io thread for every chunk that lands on the socket.
/// A receive low-watermark keeps the socket quiet meanwhile (the kernel signals
/// readability only from that many bytes on, which a window's tokens do not reach); it
/// stays up from one window to the next while tokens keep coming, and comes down before
/// any read that waits for data and before the connection is handed back.
///
/// What holding back would cost in accuracy, the kernel's receive stamps (SO_TIMESTAMPNS)
/// give back: a read after a window knows when its last byte arrived, so neither the end
/// of the stream nor the gaps depend on when the window ended or how late the io thread
/// woke.
class read_coalescer {
public:
    explicit read_coalescer(beast::tcp_stream& stream) : stream_(stream), timer_(stream.get_executor()) {
        const int on = 1;  // a failure only costs the stamps: a read's arrival is then when it was made
        static_cast<void>(::setsockopt(stream_.socket().native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on));
    }

    /// A wait cut short (an error) only means the next read starts early.
    awaitable<void> wait_until(steady::time_point until) {
        quiet(true);
        timer_.expires_at(until);
        co_await timer_.async_wait(use_tuple);
    }

    void wake_on_data() { quiet(false); }

private:
    /// Errors are ignored: a socket closed by cancellation fails the next read anyway.
    void quiet(bool on) {
        if (on == quiet_) {
            return;
        }
        boost::system::error_code ignored;
        stream_.socket().set_option(asio::socket_base::receive_low_watermark{on ? coalescing_low_watermark : 1},
                                    ignored);
        quiet_ = on;
    }

    beast::tcp_stream& stream_;
    asio::steady_timer timer_;
    bool quiet_ = false;
};

struct read_result {
    boost::system::error_code ec;
    std::size_t bytes = 0;
    std::optional<timespec> stamp;  ///< when the kernel received the last byte read (CLOCK_REALTIME)
};

std::optional<timespec> receive_stamp(msghdr& message) {
    for (auto* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp{};
            std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
            return stamp;
        }
    }
    return std::nullopt;
}

/// Takes what the socket already holds, never waiting: nothing read (and no error) when
/// it holds nothing. After a window that is the common case, and it costs one recvmsg
/// instead of an asynchronous read with its timer. The kernel's receive stamp of the
/// last byte comes with it (see read_coalescer).
read_result read_available(asio::ip::tcp::socket& socket, beast::flat_buffer& buffer) {
    const auto space = buffer.prepare(read_size);
    iovec data{space.data(), space.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const auto n = ::recvmsg(socket.native_handle(), &message, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return {};
        }
        return {{errno, boost::system::system_category()}, 0, std::nullopt};
    }
    if (n == 0) {
        return {asio::error::eof, 0, std::nullopt};
    }
    buffer.commit(static_cast<std::size_t>(n));
    return {{}, static_cast<std::size_t>(n), receive_stamp(message)};
}

/// When the bytes of a read arrived, on the steady clock: the kernel's stamp where there
/// is one, kept between the previous read's arrival and now (the real-time clock may
/// have been set meanwhile), else now.
steady::time_point arrival_of(const read_result& got, steady::time_point previous, steady::time_point now) {
    if (!got.stamp) {
        return now;
    }
    const auto stamped = std::chrono::seconds{got.stamp->tv_sec} + std::chrono::nanoseconds{got.stamp->tv_nsec};
    const auto ago = std::chrono::system_clock::now().time_since_epoch() - stamped;
    return std::clamp(now - std::chrono::duration_cast<steady::duration>(ago), previous, now);
}

awaitable<read_result> read_waiting(beast::tcp_stream& stream,
                                    beast::flat_buffer& buffer,
                                    call_clock& clock,
                                    const backend_settings& settings) {
    clock.arm(stream, settings.idle_timeout, "idle-timeout");
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_size), use_tuple);
    buffer.commit(n);
    co_return read_result{ec, n, std::nullopt};
}

/// Reads a non-200 reply whole and turns it into the failure a user sees.
awaitable<void> throw_http_error(beast::tcp_stream& stream,
                                 beast::flat_buffer& buffer,
                                 http::response_parser<http::buffer_body>& parser,
                                 call_clock& clock) {
    std::string body;
    std::array<char, 4096> chunk{};
    while (!parser.is_done() && body.size() < 64 * 1024) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        clock.arm(stream, std::chrono::seconds{10}, "idle-timeout");
        auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
        body.append(chunk.data(), chunk.size() - parser.get().body().size);
        if (ec && ec != http::error::need_buffer) {
            break;
        }
    }
    const auto status = parser.get().result_int();
    // 503 is Ollama's "server busy": the request was never started, so it is safe to repeat.
    const bool busy = status == 503;
    throw run_failure(status >= 500 ? "backend_unavailable" : "backend_error",
                      "Ollama answered HTTP " + std::to_string(status) + ": " + ollama_error_message(body),
                      llm_outcome::http_error, busy);
}

/// How a kept-alive connection the backend closed while idle shows up. Anything else —
/// above all operation_aborted from a cancellation closing our own socket — is not
/// a stale connection and must not be retried on a new one.
bool closed_by_peer(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
}

/// Sends the request and reads the response header. Returns false when a reused
/// connection turned out to be dead before any byte came back (safe to retry).
awaitable<bool> send_and_read_header(beast::tcp_stream& stream,
                                     beast::flat_buffer& buffer,
                                     generate_request& request,
                                     http::response_parser<http::buffer_body>& parser,
                                     call_clock& clock,
                                     const backend_settings& settings,
                                     bool reused) {
    clock.arm(stream, settings.idle_timeout, "idle-timeout");
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (!write_ec) {
        clock.arm(stream, settings.headers_timeout, "headers-timeout");
        auto [read_ec, read] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (!read_ec) {
            co_return true;
        }
        if (read_ec == beast::error::timeout) {
            throw clock.timeout_failure();
        }
        if (reused && read == 0 && buffer.size() == 0 && closed_by_peer(read_ec)) {
            co_return false;
        }
        throw run_failure("backend_unavailable", "Ollama closed the connection before answering: " + read_ec.message(),
                          llm_outcome::connect_error, read == 0 && buffer.size() == 0);
    }
    if (write_ec == beast::error::timeout) {
        throw clock.timeout_failure();
    }
    if (reused && closed_by_peer(write_ec)) {
        co_return false;
    }
    throw run_failure("backend_unavailable", "sending the request to Ollama failed: " + write_ec.message(),
                      llm_outcome::connect_error, true);
}

run_failure broken_off(const boost::system::error_code& ec) {
    return {"stream_truncated", "the Ollama stream broke off before done:true: " + ec.message(),
            llm_outcome::truncated};
}

/// Turns the response body, as it is read, into decoder events for the assembler.
/// The parser is eager, so one call to take() parses every chunk the buffer holds:
/// all tokens of one socket read reach the assembler together.
class body_reader {
public:
    body_reader(beast::flat_buffer& buffer,
                http::response_parser<http::buffer_body>& parser,
                generation_assembler& assembler,
                streamed_generation& out)
        : buffer_(buffer), parser_(parser), assembler_(assembler), out_(out) {
        parser_.eager(true);
    }

    /// Parses what the buffer holds; `arrived` is when those bytes were read.
    void take(steady::time_point arrived) {
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
        assembler_.consume(events_, arrived, out_);
        if (ec && ec != http::error::need_more) {
            throw broken_off(ec);
        }
    }

    [[nodiscard]] bool streaming() const { return assembler_.streaming(); }

    /// The end of the body: decodes a last line without newline and checks for done:true.
    void finish() {
        decoder_.finish(events_);
        assembler_.consume(events_, steady::now(), out_);
        if (!assembler_.done()) {
            throw run_failure("stream_truncated", "the Ollama stream ended without a done:true chunk",
                              llm_outcome::truncated);
        }
    }

private:
    beast::flat_buffer& buffer_;
    http::response_parser<http::buffer_body>& parser_;
    generation_assembler& assembler_;
    streamed_generation& out_;
    core::ndjson_stream_decoder decoder_;
    std::vector<core::stream_event> events_;
    std::array<char, 4096> chunk_{};  // lives as long as the call, so small: a big read takes a few turns through it
};

/// Reads the socket directly rather than through http::async_read_some, which hands
/// over one chunk per call and, when it stops inside a chunk header, reads on before
/// returning the chunks it already parsed. The EOF handling follows Beast's.
awaitable<void> read_stream(beast::tcp_stream& stream,
                            beast::flat_buffer& buffer,
                            http::response_parser<http::buffer_body>& parser,
                            call_clock& clock,
                            const backend_settings& settings,
                            body_reader& reader) {
    auto ready = steady::now();  // when the next read may start
    auto arrived = ready;        // when the bytes of the last read arrived
    reader.take(arrived);        // body bytes that came with the header
    read_coalescer coalescer{stream};
    bool hold_back = false;
    while (!parser.is_done()) {
        if (hold_back) {
            co_await coalescer.wait_until(ready);
        }
        auto got = hold_back ? read_available(stream.socket(), buffer) : read_result{};
        if (got.bytes == 0 && !got.ec) {
            coalescer.wake_on_data();
            got = co_await read_waiting(stream, buffer, clock, settings);
        }
        const auto now = steady::now();
        arrived = arrival_of(got, arrived, now);
        reader.take(arrived);
        if (got.ec == asio::error::eof) {
            got.ec = {};
            parser.put_eof(got.ec);  // completes a body delimited by the close, else partial_message
        }
        if (got.ec == beast::error::timeout) {
            throw clock.timeout_failure();
        }
        if (got.ec) {
            throw broken_off(got.ec);
        }
        // A read that filled its buffer left more behind (a long final line): take it at once.
        hold_back = reader.streaming() && now - ready < coalescing_window && got.bytes < read_size;
        ready = hold_back ? now + coalescing_window : now;
    }
    coalescer.wake_on_data();  // the connection may serve another call
    reader.finish();
}

/// Takes the run's connection, or one from the pool, and exposes it to cancellation.
/// Returns whether the connection had served a request before (it may have died idle).
awaitable<bool> ensure_connection(generate_call_context& context, backend_connection& connection) {
    bool reused = connection != nullptr;
    if (!connection) {
        auto acquired = co_await context.pool.acquire();
        connection = std::move(acquired.connection);
        reused = acquired.reused;
    }
    if (context.cancellation != nullptr) {
        context.cancellation->attach(connection.get());
    }
    co_return reused;
}

awaitable<streamed_generation> exchange(generate_call_context& context,
                                        backend_connection& connection,
                                        const std::string& body,
                                        steady::time_point start) {
    call_clock clock{context.settings, start};
    auto request = make_generate_request(context.settings, body);
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::buffer_body>> parser;
    parser.emplace();
    const bool reused = co_await ensure_connection(context, connection);
    const bool answered =
        co_await send_and_read_header(*connection, buffer, request, *parser, clock, context.settings, reused);
    if (!answered) {
        connection = co_await context.pool.connect();
        co_await ensure_connection(context, connection);
        parser.emplace();
        buffer.clear();
        co_await send_and_read_header(*connection, buffer, request, *parser, clock, context.settings, false);
    }
    parser->body_limit(boost::none);  // the decoder bounds each line; a long generation is legitimate
    if (parser->get().result() != http::status::ok) {
        co_await throw_http_error(*connection, buffer, *parser, clock);
    }
    streamed_generation out;
    generation_assembler assembler{start, context.on_token};
    body_reader reader{buffer, *parser, assembler, out};
    co_await read_stream(*connection, buffer, *parser, clock, context.settings, reader);
    if (!parser->keep_alive()) {
        connection.reset();
    }
    co_return out;
}

}  // namespace

awaitable<streamed_generation> stream_generate(generate_call_context& context,
                                               backend_connection& connection,
                                               const std::string& body) {
    const auto start = steady::now();
    std::exception_ptr failure;
    try {
        auto out = co_await exchange(context, connection, body, start);
        if (context.cancellation != nullptr) {
            context.cancellation->attach(static_cast<beast::tcp_stream*>(nullptr));
        }
        co_return out;
    } catch (...) {
        failure = std::current_exception();
    }
    connection.reset();  // its state is unknown: never reuse it
    if (context.cancellation != nullptr) {
        context.cancellation->attach(static_cast<beast::tcp_stream*>(nullptr));
        if (context.cancellation->cancelled()) {
            throw run_failure("cancelled", "the run was cancelled while its LLM call was streaming",
                              llm_outcome::cancelled);
        }
    }
    std::rethrow_exception(failure);
}

}  // namespace chimera::service
