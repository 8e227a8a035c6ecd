#include "sim_openai_handler.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim_fault_selection.hpp"
#include "sim_openai_wire.hpp"
#include "sim_sse_writer.hpp"
#include "sim_stream_io.hpp"
#include "sim_text.hpp"

namespace sim {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
using net::experimental::awaitable_operators::operator||;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view fault_message = "simulated fault";
// What llama-server answers while its model loads, and vLLM's 503 text.
constexpr std::string_view llama_busy_message = "Loading model";
constexpr std::string_view vllm_busy_message = "Service Unavailable";
// Not JSON: the garbage-line fault's data line.
constexpr std::string_view garbage_data = "this is not json";
constexpr std::string_view done_data = "[DONE]";

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

double ms_between(clock::time_point from, clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// The refusal of a model the engine does not serve: vLLM's _check_model; llama-server's router
// (server-models.cpp proxy_request throws, its ex_wrapper answers 500 server_error).
request_error unknown_model(engine kind, std::string_view model) {
    std::string message;
    if (kind == engine::vllm) {
        message.append("The model `").append(model).append("` does not exist.");
        return request_error{404, std::move(message)};
    }
    message.append("model name=").append(model).append(" is not found");
    return request_error{500, std::move(message)};
}

// Everything one completion needs, fixed before its first wait.
struct completion_plan {
    completion_identity identity;
    bool stream = false;
    bool include_usage = false;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t tokens = 0;
    std::string_view finish_reason;
    double tokens_per_second = 1;
    fault_plan faults;
    clock::time_point received;
    clock::time_point ready_at;
    clock::duration prompt_eval{};

    clock::duration token_offset(std::uint64_t i) const {
        return seconds(static_cast<double>(i + 1) / tokens_per_second);
    }

    bool hits(const std::optional<std::uint64_t>& after, std::uint64_t i) const {
        return after && std::min(*after, tokens) == i;
    }
};

// When things actually happened, for usage and llama.cpp's timings.
struct measured {
    clock::time_point ready;
    clock::time_point prompt_done;
    clock::time_point last_token;
};

class openai_exchange {
public:
    openai_exchange(tcp::socket& socket, const request& req, sim_state& state, std::shared_ptr<request_record> record)
        : socket_{socket},
          req_{req},
          state_{state},
          kind_{state.config.engine_kind},
          record_{record},
          out_{socket, req, std::move(record)},
          timer_{socket.get_executor()} {}

    bool keep_alive() const { return out_.keep_alive(); }

    net::awaitable<void> serve(openai_api api, clock::time_point received) {
        const auto decoded = decode_openai_request(req_.body(), api, state_.config.models.front());
        std::variant<fault_plan, request_error> faults = state_.config.faults;
        if (const auto* r = std::get_if<openai_request>(&decoded)) {
            record_->model = r->model;
            record_->stream = r->stream;
            faults = faults_for(req_, r->model, state_.config);
        }
        const auto* plan = std::get_if<fault_plan>(&faults);
        if (plan && record_->seq < plan->reset_first.value_or(0)) {
            out_.reset();
            co_return;
        }
        const auto refusal = refusal_of(decoded, faults);
        if (refusal) {
            co_await reply_error(refusal->status, refusal->message);
        } else {
            co_await schedule(std::get<openai_request>(decoded), api, *plan, received);
        }
    }

private:
    // A bad body, a bad fault selection or a model the engine does not serve, in that order.
    std::optional<request_error> refusal_of(const std::variant<openai_request, request_error>& decoded,
                                            const std::variant<fault_plan, request_error>& faults) const {
        if (const auto* error = std::get_if<request_error>(&decoded)) {
            return *error;
        }
        if (const auto* error = std::get_if<request_error>(&faults)) {
            return *error;
        }
        const auto& model = std::get<openai_request>(decoded).model;
        return state_.models.knows(model) ? std::nullopt : std::optional{unknown_model(kind_, model)};
    }

    net::awaitable<void> schedule(const openai_request& r,
                                  openai_api api,
                                  const fault_plan& faults,
                                  clock::time_point received) {
        if (record_->seq < faults.busy_first.value_or(0)) {
            co_await reply_error(503, kind_ == engine::vllm ? vllm_busy_message : llama_busy_message);
            co_return;
        }
        if (faults.status) {
            co_await reply_error(*faults.status, fault_message);
            co_return;
        }
        auto plan = make_plan(r, api, faults, received);
        const auto ready = state_.models.acquire(r.model, received);
        plan.ready_at = std::max(ready, received + faults.load_delay.value_or(std::chrono::milliseconds::zero()));
        record_->prompt_tokens = plan.prompt_tokens;
        auto work = generate(std::move(plan));
        co_await watched(std::move(work));
        state_.models.release(r.model, clock::now(), std::chrono::minutes{5});
    }

    completion_plan make_plan(const openai_request& r,
                              openai_api api,
                              const fault_plan& faults,
                              clock::time_point received) const {
        completion_plan p;
        p.identity = completion_identity{.kind = kind_,
                                         .api = api,
                                         .id = completion_id(kind_, api, record_->seq),
                                         .created = std::chrono::duration_cast<std::chrono::seconds>(
                                                        std::chrono::system_clock::now().time_since_epoch())
                                                        .count(),
                                         .model = r.model};
        p.stream = r.stream;
        p.include_usage = r.include_usage;
        p.prompt_tokens = r.prompt_tokens;
        p.tokens = r.max_tokens.value_or(state_.config.tokens);
        p.finish_reason = r.max_tokens ? "length" : "stop";
        p.faults = faults;
        p.tokens_per_second =
            faults.tokens_per_second ? static_cast<double>(*faults.tokens_per_second) : state_.config.tokens_per_second;
        p.received = received;
        p.prompt_eval = seconds(static_cast<double>(p.prompt_tokens) / state_.config.prompt_tokens_per_second);
        return p;
    }

    // Runs `work` until it ends or the client disconnects, whichever is first.
    net::awaitable<void> watched(net::awaitable<void> work) {
        auto watcher = watch_disconnect(socket_);
        const auto outcome = co_await (std::move(work) || std::move(watcher));
        if (outcome.index() == 1 && std::get<1>(outcome)) {
            out_.client_gone();
        }
    }

    net::awaitable<void> generate(completion_plan p) {
        measured m;
        if (!co_await pass(state_.gate, timer_) || !co_await wait_until(p.ready_at)) {
            co_return;
        }
        m.ready = clock::now();
        // vLLM's StreamingResponse sends its headers before the first token; llama-server with it.
        if (p.stream && kind_ == engine::vllm) {
            out_.begin_body(event_stream_content_type_of(kind_));
            if (!co_await out_.flush_header()) {
                co_return;
            }
        }
        record_->first_token_delay_ms = ms_between(p.received, p.ready_at + p.prompt_eval + p.token_offset(0));
        if (!co_await wait_until(m.ready + p.prompt_eval)) {
            co_return;
        }
        m.prompt_done = clock::now();
        std::string text;
        if (co_await stream_tokens(p, m, text)) {
            co_await finish(p, m, text);
        }
    }

    // Tokens and the faults among them; false when the exchange ended before the closing events.
    net::awaitable<bool> stream_tokens(completion_plan& p, measured& m, std::string& text) {
        auto tokens_from = m.prompt_done;
        for (std::uint64_t i = 0; i <= p.tokens; ++i) {
            if (p.hits(p.faults.stall_after, i) && p.faults.stall_for) {
                if (!co_await wait_until(clock::now() + *p.faults.stall_for)) {
                    co_return false;
                }
                tokens_from += *p.faults.stall_for;
            }
            if (i < p.tokens && !co_await wait_until(tokens_from + p.token_offset(i))) {
                co_return false;
            }
            if (p.hits(p.faults.garbage_line_after, i) && !co_await write_data(p, garbage_data, i)) {
                co_return false;
            }
            if (p.hits(p.faults.truncate_after, i)) {
                out_.truncate();
                co_return false;
            }
            if (p.hits(p.faults.midstream_error_after, i)) {
                co_await midstream_error(p, i);
                co_return false;
            }
            if (i < p.tokens && !co_await emit_token(p, m, text, i)) {
                co_return false;
            }
        }
        co_return true;
    }

    net::awaitable<bool> emit_token(const completion_plan& p, measured& m, std::string& text, std::uint64_t i) {
        const auto token = response_token(i);
        m.last_token = clock::now();
        text.append(token);
        record_->eval_count = i + 1;
        if (!p.stream) {
            co_return true;
        }
        const auto finish = i + 1 == p.tokens && kind_ == engine::vllm ? std::optional{p.finish_reason} : std::nullopt;
        const auto events = token_events(p.identity, token, i == 0, finish);
        for (const auto& event : events) {
            if (!co_await write_data(p, event, i)) {
                co_return false;
            }
        }
        if (i == 0) {
            record_->ttft_ms = ms_between(p.received, m.last_token);
        }
        co_return true;
    }

    net::awaitable<void> finish(const completion_plan& p, const measured& m, const std::string& text) {
        const auto last = p.tokens == 0 ? m.prompt_done : m.last_token;
        const completion_summary summary{.finish_reason = p.finish_reason,
                                         .prompt_tokens = p.prompt_tokens,
                                         .completion_tokens = p.tokens,
                                         .prompt_ms = ms_between(m.ready, m.prompt_done),
                                         .predicted_ms = ms_between(m.prompt_done, last)};
        record_->eval_duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(last - m.prompt_done).count();
        if (!p.stream) {
            record_->ttft_ms = ms_between(p.received, clock::now());
            auto body = whole_response(p.identity, text, summary);
            record_->completed = co_await out_.reply(http::status::ok, json_content_type_of(kind_), std::move(body));
            co_return;
        }
        const auto events = closing_events(p.identity, summary, p.include_usage);
        for (const auto& event : events) {
            if (!co_await write_data(p, event, p.tokens)) {
                co_return;
            }
        }
        if (co_await write_data(p, done_data, p.tokens + 1)) {
            record_->completed = co_await out_.end_body();
        }
    }

    // llama.cpp ends the stream after its error line; vLLM sends [DONE] after it. Before the first
    // chunk llama-server still answers with the error's status (its first result is awaited).
    net::awaitable<void> midstream_error(const completion_plan& p, std::uint64_t i) {
        if (!out_.headers_sent()) {
            co_await reply_error(500, fault_message);
            co_return;
        }
        const auto error = error_body(kind_, 500, fault_message);
        if (!co_await write_data(p, error, i)) {
            co_return;
        }
        if (kind_ == engine::vllm && !co_await write_data(p, done_data, i)) {
            co_return;
        }
        co_await out_.end_body();
    }

    net::awaitable<bool> write_data(const completion_plan& p, std::string_view data, std::uint64_t salt) {
        out_.begin_body(event_stream_content_type_of(kind_));
        co_return co_await out_.write_event(data, p.faults, salt);
    }

    // A wait that, on llama.cpp with --sse-ping-ms, pings whenever a started stream was silent that long.
    net::awaitable<bool> wait_until(clock::time_point at) {
        const auto& ping = state_.config.sse_ping;
        while (ping && out_.headers_sent() && out_.last_write() + *ping < at) {
            if (!co_await timer_wait(out_.last_write() + *ping) || !co_await out_.write_chunk(": ping\n\n")) {
                co_return false;
            }
        }
        co_return co_await timer_wait(at);
    }

    net::awaitable<bool> timer_wait(clock::time_point at) {
        timer_.expires_at(at);
        const auto [ec] = co_await timer_.async_wait(use_tuple);
        co_return !ec;
    }

    net::awaitable<void> reply_error(unsigned status, std::string_view message) {
        auto body = error_body(kind_, status, message);
        co_await out_.reply(static_cast<http::status>(status), json_content_type_of(kind_), std::move(body));
    }

    tcp::socket& socket_;
    const request& req_;
    sim_state& state_;
    const engine kind_;
    std::shared_ptr<request_record> record_;
    sse_writer out_;
    net::steady_timer timer_;
};

std::string_view path_of(openai_api api) {
    return api == openai_api::chat ? "/v1/chat/completions" : "/v1/completions";
}

}  // namespace

net::awaitable<bool> serve_openai(tcp::socket& socket,
                                  const request& req,
                                  sim_state& state,
                                  std::uint64_t connection_id,
                                  clock::time_point received,
                                  openai_api api) {
    const generation_in_flight counted{state.stats};
    openai_exchange ex{socket, req, state, state.stats.add_request(connection_id, path_of(api))};
    co_await ex.serve(api, received);
    co_return ex.keep_alive();
}

}  // namespace sim
