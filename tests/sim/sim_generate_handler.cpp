#include "sim_generate_handler.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>

#include "sim_fault_selection.hpp"
#include "sim_generate.hpp"
#include "sim_request.hpp"
#include "sim_stream_io.hpp"
#include "sim_text.hpp"

namespace sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
using net::experimental::awaitable_operators::operator||;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view fault_message = "an error was encountered while running the model: simulated fault";
// Ollama's ErrMaxQueue text, two spaces included.
// The garbage-line-after fault's line: not JSON at all.
constexpr std::string_view garbage_line = "this is not json\n";
constexpr std::string_view busy_message = "server busy, please try again.  maximum pending requests exceeded";

enum class fault_kind { midstream_error, truncate };

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

double ms_between(clock::time_point from, clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::chrono::nanoseconds ns_between(clock::time_point from, clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from);
}

// Everything one generation needs, fixed before its first wait.
struct generation {
    std::string model;
    bool stream = true;
    bool with_context = true;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t tokens = 0;
    std::string_view done_reason;
    double tokens_per_second = 1;
    fault_plan faults;
    clock::time_point received;
    clock::time_point ready_at;
    clock::duration prompt_eval{};

    // Token i is decoded in the (i+1)-th token period after the prompt, so eval_count / eval_duration
    // is the decode rate. Offsets are from the prompt's end: slow writes do not push later tokens back.
    clock::duration token_offset(std::uint64_t i) const {
        return seconds(static_cast<double>(i + 1) / tokens_per_second);
    }

    clock::duration first_token_delay() const {
        const auto stall = stalls_at(0) ? clock::duration{*faults.stall_for} : clock::duration::zero();
        return ready_at - received + prompt_eval + stall + token_offset(0);
    }

    // Whether the stall comes before token i (i == tokens: before the done line).
    bool stalls_at(std::uint64_t i) const {
        return faults.stall_after && faults.stall_for && std::min(*faults.stall_after, tokens) == i;
    }

    // Whether the garbage line goes out before token i (i == tokens: before the done line).
    bool garbage_at(std::uint64_t i) const {
        return faults.garbage_line_after && std::min(*faults.garbage_line_after, tokens) == i;
    }

    // The fault that takes the place of token i (i == tokens: of the done line).
    std::optional<fault_kind> fault_at(std::uint64_t i) const {
        const auto hits = [&](const std::optional<std::uint64_t>& after) {
            return after && std::min(*after, tokens) == i;
        };
        if (hits(faults.truncate_after)) {
            return fault_kind::truncate;
        }
        return hits(faults.midstream_error_after) ? std::optional{fault_kind::midstream_error} : std::nullopt;
    }
};

// When things actually happened, for the final chunk's durations.
struct measured {
    clock::time_point ready;
    clock::time_point prompt_done;
    clock::time_point last_token;
};

// Checks in the order of Ollama's GenerateHandler, before anything is scheduled.
std::optional<request_error> check_request(const generate_request& r, const model_registry& models) {
    if (!models.knows(r.model)) {
        return request_error{404, "model '" + r.model + "' not found"};
    }
    if (r.raw && (r.template_or_context || !r.system.empty())) {
        return request_error{400, "raw mode does not support template, system, or context"};
    }
    if (r.think) {
        return request_error{400, "\"" + r.model + "\" does not support thinking"};
    }
    return std::nullopt;
}

std::variant<generation, request_error> plan_generation(const generate_request& r,
                                                        const std::variant<fault_plan, request_error>& faults,
                                                        const sim_config& config,
                                                        clock::time_point received) {
    const auto options = decode_options(r.options);
    if (const auto* error = std::get_if<request_error>(&options)) {
        return *error;
    }
    if (const auto* error = std::get_if<request_error>(&faults)) {
        return *error;
    }
    const auto num_predict = std::get<run_options>(options).num_predict;
    generation g;
    g.model = r.model;
    g.stream = r.stream;
    g.with_context = !r.raw;
    g.prompt_tokens = count_prompt_tokens(r.system, r.prompt);
    g.tokens = num_predict > 0 ? static_cast<std::uint64_t>(num_predict) : config.tokens;
    g.done_reason = num_predict > 0 ? "length" : "stop";
    g.faults = std::get<fault_plan>(faults);
    g.tokens_per_second =
        g.faults.tokens_per_second ? static_cast<double>(*g.faults.tokens_per_second) : config.tokens_per_second;
    g.received = received;
    g.prompt_eval = seconds(static_cast<double>(g.prompt_tokens) / config.prompt_tokens_per_second);
    return g;
}

// A use of the model from acquisition to the end of the request: keep_alive counts from there.
class model_lease {
public:
    model_lease(model_registry& models, std::string model, std::chrono::nanoseconds keep_alive, clock::time_point now)
        : models_{models}, model_{std::move(model)}, keep_alive_{keep_alive}, ready_at_{models_.acquire(model_, now)} {}
    model_lease(const model_lease&) = delete;
    model_lease& operator=(const model_lease&) = delete;
    ~model_lease() { models_.release(model_, clock::now(), keep_alive_); }

    clock::time_point ready_at() const { return ready_at_; }

private:
    model_registry& models_;
    std::string model_;
    std::chrono::nanoseconds keep_alive_;
    clock::time_point ready_at_;
};

// One /api/generate exchange on a connection; its outcome goes into the request's record.
class exchange {
public:
    exchange(tcp::socket& socket, const request& req, const sim_config& config, std::shared_ptr<request_record> record)
        : socket_{socket},
          req_{req},
          faults_{faults_for(req, {}, config)},
          record_{std::move(record)},
          timer_{socket.get_executor()},
          keep_alive_{req.keep_alive()},
          chunked_{req.version() >= 11} {}

    bool keep_alive() const { return keep_alive_; }

    net::awaitable<void> serve(sim_state& state, clock::time_point received) {
        auto decoded = decode_generate_request(req_.body());
        if (const auto* r = std::get_if<generate_request>(&decoded)) {
            record_->model = r->model;
            record_->stream = r->stream;
            faults_ = faults_for(req_, r->model, state.config);
        }
        if (hits_first(&fault_plan::reset_first)) {
            reset_connection();
            co_return;
        }
        if (const auto* error = std::get_if<request_error>(&decoded)) {
            co_await reply_error(*error);
            co_return;
        }
        const auto& r = std::get<generate_request>(decoded);
        if (const auto error = check_request(r, state.models)) {
            co_await reply_error(*error);
        } else if (r.prompt.empty() && r.keep_alive == std::chrono::nanoseconds::zero()) {
            state.models.unload(r.model, clock::now());
            auto body = residency_object(r.model, "unload");
            record_->completed = co_await reply(http::status::ok, std::move(body));
        } else {
            co_await schedule(r, state, received);
        }
    }

private:
    net::awaitable<void> schedule(const generate_request& r, sim_state& state, clock::time_point received) {
        auto planned = plan_generation(r, faults_, state.config, received);
        if (const auto* error = std::get_if<request_error>(&planned)) {
            co_await reply_error(*error);
            co_return;
        }
        if (hits_first(&fault_plan::busy_first)) {
            // Where Ollama's scheduler refuses to queue: after validation, before any load.
            co_await reply_busy();
            co_return;
        }
        auto& g = std::get<generation>(planned);
        if (g.faults.status) {
            co_await reply_status(*g.faults.status);
            co_return;
        }
        const model_lease lease{state.models, r.model, r.keep_alive, received};
        g.ready_at =
            std::max(lease.ready_at(), received + g.faults.load_delay.value_or(std::chrono::milliseconds::zero()));
        if (r.prompt.empty()) {
            record_->first_token_delay_ms = ms_between(received, g.ready_at);
            auto work = load(g.model, g.ready_at);
            co_await watched(std::move(work));
        } else {
            record_->prompt_tokens = g.prompt_tokens;
            record_->first_token_delay_ms = std::chrono::duration<double, std::milli>(g.first_token_delay()).count();
            auto work = generate(std::move(g), state.gate);
            co_await watched(std::move(work));
        }
    }

    // Runs `work` until it ends or the client disconnects, whichever is first.
    net::awaitable<void> watched(net::awaitable<void> work) {
        auto watcher = watch_disconnect(socket_);
        const auto outcome = co_await (std::move(work) || std::move(watcher));
        if (outcome.index() == 1 && std::get<1>(outcome)) {
            record_->client_disconnected = true;
            keep_alive_ = false;
        }
    }

    net::awaitable<void> load(std::string model, clock::time_point ready_at) {
        if (co_await wait_until(ready_at)) {
            auto body = residency_object(model, "load");
            record_->completed = co_await reply(http::status::ok, std::move(body));
        }
    }

    net::awaitable<void> generate(generation g, generation_gate& gate) {
        measured m;
        if (!co_await pass(gate, timer_) || !co_await wait_until(g.ready_at)) {
            co_return;
        }
        // Each phase starts when the previous one actually ended, as in a real runner.
        m.ready = clock::now();
        if (!co_await wait_until(m.ready + g.prompt_eval)) {
            co_return;
        }
        m.prompt_done = clock::now();
        auto tokens_from = m.prompt_done;
        std::string text;
        for (std::uint64_t i = 0; i < g.tokens; ++i) {
            if (!co_await stall_if_due(g, i, tokens_from)) {
                co_return;
            }
            if (!co_await wait_until(tokens_from + g.token_offset(i))) {
                co_return;
            }
            if (!co_await garbage_if_due(g, i)) {
                co_return;
            }
            if (const auto fault = g.fault_at(i)) {
                co_await inject(*fault, g, i);
                co_return;
            }
            m.last_token = clock::now();
            if (!g.stream) {
                text += response_token(i);
            } else if (!co_await write_token(g, i)) {
                co_return;
            }
            record_->eval_count = i + 1;
        }
        if (!co_await stall_if_due(g, g.tokens, tokens_from)) {
            co_return;
        }
        if (!co_await garbage_if_due(g, g.tokens)) {
            co_return;
        }
        if (const auto fault = g.fault_at(g.tokens)) {
            co_await inject(*fault, g, g.tokens);
            co_return;
        }
        co_await finish(g, m, std::move(text));
    }

    // The pause runs under watched(), so a client that disconnects cancels it like any other wait.
    // Later tokens keep their spacing after it: the schedule moves by the pause.
    net::awaitable<bool> stall_if_due(const generation& g, std::uint64_t i, clock::time_point& tokens_from) {
        if (!g.stalls_at(i)) {
            co_return true;
        }
        const auto start = clock::now();
        const auto until = start + *g.faults.stall_for;
        const bool waited = co_await wait_until(until);
        tokens_from += clock::now() - start;
        co_return waited;
    }

    // A streamed line that is no JSON at all; the stream then goes on as if nothing happened.
    net::awaitable<bool> garbage_if_due(const generation& g, std::uint64_t i) {
        if (!g.stream || !g.garbage_at(i)) {
            co_return true;
        }
        begin_body();
        const bool line_written = co_await write_chunk(garbage_line);
        co_return line_written;
    }

    net::awaitable<void> finish(const generation& g, const measured& m, std::string text) {
        const final_metrics metrics{.done_reason = g.done_reason,
                                    .prompt_eval_count = g.prompt_tokens,
                                    .eval_count = g.tokens,
                                    .with_context = g.with_context,
                                    .total_duration = ns_between(g.received, clock::now()),
                                    .load_duration = ns_between(g.received, m.ready),
                                    .prompt_eval_duration = ns_between(m.ready, m.prompt_done),
                                    .eval_duration = ns_between(m.prompt_done, m.last_token)};
        record_->eval_duration_ns = metrics.eval_duration.count();
        auto body = final_object(g.model, g.stream ? "" : text, metrics);
        if (g.stream) {
            body += '\n';
            if (co_await write_object(std::move(body), g, g.tokens)) {
                record_->completed = co_await end_body();
            }
        } else if (co_await reply(http::status::ok, std::move(body))) {
            record_->ttft_ms = ms_between(g.received, clock::now());
            record_->completed = true;
        }
    }

    net::awaitable<void> inject(fault_kind kind, const generation& g, std::uint64_t i) {
        if (kind == fault_kind::truncate) {
            // FIN without the chunked terminator, as when the server dies mid-stream.
            boost::system::error_code ignored;
            socket_.shutdown(tcp::socket::shutdown_both, ignored);
            socket_.close(ignored);
            keep_alive_ = false;
            co_return;
        }
        auto body = error_object(fault_message);
        if (!headers_sent_) {
            // Before the first chunk Ollama can still choose the status.
            co_await reply(http::status::internal_server_error, std::move(body));
            co_return;
        }
        body += '\n';
        if (co_await write_object(std::move(body), g, i)) {
            co_await end_body();
        }
    }

    // Whether the fault `first` picks this request: its seq is among the first K since start or reset.
    bool hits_first(std::optional<std::uint64_t> fault_plan::*first) const {
        const auto* plan = std::get_if<fault_plan>(&faults_);
        return plan && record_->seq < (plan->*first).value_or(0);
    }

    // Read in full, answered with nothing: an RST (SO_LINGER 0) tells the client at once, as when a
    // proxy or a crashing server drops the request.
    void reset_connection() {
        boost::system::error_code ignored;
        socket_.set_option(net::socket_base::linger{true, 0}, ignored);
        socket_.close(ignored);
        keep_alive_ = false;
    }

    net::awaitable<bool> wait_until(clock::time_point at) {
        timer_.expires_at(at);
        const auto [ec] = co_await timer_.async_wait(use_tuple);
        co_return !ec;
    }

    net::awaitable<bool> write_token(const generation& g, std::uint64_t i) {
        begin_body();
        auto line = token_line(g.model, response_token(i));
        // Taken as the token is handed to the socket, not after the write completes: a
        // descheduled simulator would otherwise report a TTFT later than the client saw it.
        const auto emitted = clock::now();
        if (!co_await write_object(std::move(line), g, i)) {
            co_return false;
        }
        if (i == 0) {
            record_->ttft_ms = ms_between(g.received, emitted);
        }
        co_return true;
    }

    // Ollama sends the status line and headers only with the first token, in the same write:
    // Go buffers them until gin flushes the first object. Once per exchange; the header waits
    // in pending_header_ for the next write_chunk.
    void begin_body() {
        if (headers_sent_) {
            return;
        }
        http::response<http::empty_body> res{http::status::ok, req_.version()};
        res.set(http::field::content_type, "application/x-ndjson");
        res.set(http::field::date, http_date());
        // HTTP/1.0 has no chunked encoding: like Go, end the body by closing the connection.
        keep_alive_ = keep_alive_ && chunked_;
        res.keep_alive(keep_alive_);
        res.chunked(chunked_);
        std::ostringstream header;
        header << res.base();
        pending_header_ = std::move(header).str();
        headers_sent_ = true;
        record_->status = 200;
    }

    net::awaitable<bool> write_object(std::string object, const generation& g, std::uint64_t salt) {
        const std::string_view whole{object};
        if (g.faults.split_every_byte) {
            for (std::size_t at = 0; at < whole.size(); ++at) {
                const bool byte_written = co_await write_chunk(whole.substr(at, 1));
                if (!byte_written) {
                    co_return false;
                }
            }
            co_return true;
        }
        const auto at = g.faults.split_writes ? split_point(whole, salt) : whole.size();
        const bool first_written = co_await write_chunk(whole.substr(0, at));
        if (!first_written || at == whole.size()) {
            co_return first_written;
        }
        co_return co_await write_chunk(whole.substr(at));
    }

    net::awaitable<bool> write_chunk(std::string_view data) {
        const std::string header = std::exchange(pending_header_, {});
        if (!chunked_) {
            const auto [ec, n] = co_await net::async_write(
                socket_, beast::buffers_cat(net::buffer(header), net::buffer(data)), use_tuple);
            co_return written(ec);
        }
        const auto chunk = http::make_chunk(net::buffer(data));
        const auto [ec, n] =
            co_await net::async_write(socket_, beast::buffers_cat(net::buffer(header), chunk), use_tuple);
        co_return written(ec);
    }

    net::awaitable<bool> end_body() {
        if (!chunked_) {
            co_return true;
        }
        const auto last = http::make_chunk_last();
        const auto [ec, n] = co_await net::async_write(socket_, last, use_tuple);
        co_return written(ec);
    }

    // Its own coroutine, so no local lives across the co_await in schedule(): GCC 12
    // destroyed such a block-scoped local twice.
    net::awaitable<void> reply_busy() {
        auto body = error_object(busy_message);
        co_await reply(http::status::service_unavailable, std::move(body));
    }

    // Like reply_busy: the status fault's answer, before anything is generated.
    net::awaitable<void> reply_status(unsigned status) {
        auto body = error_object(status >= 500 ? std::string{fault_message}
                                               : "simulated fault: HTTP " + std::to_string(status));
        co_await reply(static_cast<http::status>(status), std::move(body));
    }

    net::awaitable<void> reply_error(const request_error& error) {
        auto body = error_object(error.message);
        co_await reply(static_cast<http::status>(error.status), std::move(body));
    }

    net::awaitable<bool> reply(http::status status, std::string body) {
        auto res = make_response(req_, status, json_content_type, std::move(body));
        record_->status = static_cast<unsigned>(status);
        const auto [ec, n] = co_await http::async_write(socket_, res, use_tuple);
        co_return written(ec);
    }

    // A failed write means the client is gone: the request ends here.
    bool written(const boost::system::error_code& ec) {
        if (ec) {
            record_->client_disconnected = true;
            keep_alive_ = false;
        }
        return !ec;
    }

    tcp::socket& socket_;
    const request& req_;
    std::variant<fault_plan, request_error> faults_;  // a bad X-Sim-Fault is reported in Ollama's order
    std::shared_ptr<request_record> record_;
    net::steady_timer timer_;
    bool keep_alive_;
    const bool chunked_;
    bool headers_sent_ = false;
    std::string pending_header_;
};

}  // namespace

net::awaitable<bool> serve_generate(tcp::socket& socket,
                                    const request& req,
                                    sim_state& state,
                                    std::uint64_t connection_id,
                                    clock::time_point received) {
    const generation_in_flight counted{state.stats};
    exchange ex{socket, req, state.config, state.stats.add_request(connection_id)};
    co_await ex.serve(state, received);
    co_return ex.keep_alive();
}

}  // namespace sim
