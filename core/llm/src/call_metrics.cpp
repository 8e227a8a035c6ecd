#include "chimera/core/llm/call_metrics.hpp"

#include "chimera/core/text/enum_names.hpp"

namespace chimera::core {
namespace {

[[nodiscard]] double ns_to_ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

void set_tokens_per_second(call_metrics& metrics, const client_timings& client, const generation_stats& backend) {
    if (backend.eval_duration_ns > 0) {
        metrics.tokens_per_second = backend.tokens_per_second();
        metrics.tokens_per_second_source = rate_source::engine;
    } else if (backend.eval_count > 1 && client.decode_ms > 0) {
        metrics.tokens_per_second = static_cast<double>(backend.eval_count - 1) / (client.decode_ms / 1e3);
        metrics.tokens_per_second_source = rate_source::client;
    }
}

}  // namespace

std::string_view to_string(call_stage stage) {
    constexpr enum_names<call_stage, 2> names{{{call_stage::analysis, "analysis"}, {call_stage::report, "report"}}};
    return name_of(names, stage);
}

std::string_view to_string(rate_source source) {
    constexpr enum_names<rate_source, 2> names{{{rate_source::engine, "engine"}, {rate_source::client, "client"}}};
    return name_of(names, source);
}

call_metrics make_call_metrics(call_stage stage, const client_timings& client, const generation_stats& backend) {
    call_metrics metrics;
    metrics.stage = stage;
    metrics.ttft_ms = client.ttft_ms;
    metrics.stream_ms = client.stream_ms;
    set_tokens_per_second(metrics, client, backend);
    metrics.tokens_generated = backend.eval_count;
    metrics.prompt_tokens = backend.prompt_eval_count;
    metrics.prompt_eval_ms = ns_to_ms(backend.prompt_eval_duration_ns);
    metrics.eval_ms = ns_to_ms(backend.eval_duration_ns);
    metrics.load_ms = ns_to_ms(backend.load_duration_ns);
    metrics.total_ms = ns_to_ms(backend.total_duration_ns);
    metrics.done_reason = backend.done_reason;
    return metrics;
}

call_metrics make_failed_call_metrics(failed_call call) {
    call_metrics metrics;
    metrics.stage = call.stage;
    metrics.attempts = call.attempts;
    metrics.outcome = call.outcome;
    metrics.first_token_arrived = call.ttft_ms.has_value();
    metrics.ttft_ms = call.ttft_ms.value_or(0.0);
    metrics.tokens_generated = call.tokens_streamed;
    metrics.stream_ms = call.stream_ms;
    metrics.error = std::move(call.error);
    metrics.attempt_errors = std::move(call.attempt_errors);
    return metrics;
}

bool completed(const call_metrics& call) { return call.outcome == llm_outcome::ok; }

}  // namespace chimera::core
