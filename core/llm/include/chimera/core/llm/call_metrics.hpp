#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/llm/generation_stats.hpp"
#include "chimera/core/llm/llm_outcome.hpp"

namespace chimera::core {

enum class call_stage { analysis, report };

[[nodiscard]] std::string_view to_string(call_stage stage);

/// How a call's tokens/s was obtained. `engine`: from the durations the engine reported
/// (Ollama's eval_count / eval_duration, llama.cpp's `timings`). `client`: the engine reported
/// none (vLLM), so the completion tokens it counted are divided by the decode time measured
/// here, from the arrival of the first non-empty token to that of the last.
enum class rate_source { engine, client };

[[nodiscard]] std::string_view to_string(rate_source source);

/// Client-side timings of one streamed call, taken on a steady clock by the caller.
struct client_timings {
    double ttft_ms = 0;    ///< call start (connection checkout included) to first non-empty token
    double stream_ms = 0;  ///< call start to the final chunk
    double decode_ms = 0;  ///< arrival of the first non-empty token to that of the last
};

/// The per-call record of a run document: client timings joined with backend stats. A call
/// that failed keeps its record too (outcome, error, what streamed before the failure), so a
/// failed run shows what its calls did rather than only the final error.
struct call_metrics {
    call_stage stage = call_stage::analysis;
    std::string backend;  ///< the name of the backend its last attempt ran on (`--backend NAME=URL`)
    double ttft_ms = 0;
    double tokens_per_second = 0;
    std::optional<rate_source> tokens_per_second_source;  ///< none when there is no figure (0)
    std::int64_t tokens_generated = 0;
    std::int64_t prompt_tokens = 0;
    double prompt_eval_ms = 0;
    double eval_ms = 0;
    double load_ms = 0;
    double total_ms = 0;
    double stream_ms = 0;
    std::string done_reason;
    int attempts = 1;  ///< 1 + retries after connect failures, 503 "server busy" or resets before any byte
    llm_outcome outcome = llm_outcome::ok;    ///< of the last attempt
    bool first_token_arrived = true;          ///< false: ttft_ms means nothing (shown as null)
    std::string error;                        ///< why the last attempt failed; empty when it did not
    std::vector<std::string> attempt_errors;  ///< why each retried attempt failed, in order
};

/// What a failed call's record keeps: its stage, attempts, the failure, and the client-side
/// count of tokens that streamed before it (the backend's final stats never arrived).
struct failed_call {
    call_stage stage = call_stage::analysis;
    int attempts = 1;
    llm_outcome outcome = llm_outcome::http_error;
    std::string error;
    std::vector<std::string> attempt_errors;
    std::optional<double> ttft_ms;  ///< when a first token arrived before the failure
    std::int64_t tokens_streamed = 0;
    double stream_ms = 0;
};

[[nodiscard]] call_metrics make_failed_call_metrics(failed_call call);

/// Only the calls that completed carry the backend's stats: the aggregates use those alone.
[[nodiscard]] bool completed(const call_metrics& call);

/// tokens/s from the engine's durations when it reported a decode time, else from its token count
/// over the client's decode time: n tokens arrive over n - 1 gaps from the first to the last, so
/// the rate is (n - 1) / decode time; none with fewer than two tokens.
[[nodiscard]] call_metrics make_call_metrics(call_stage stage,
                                             const client_timings& client,
                                             const generation_stats& backend);

}  // namespace chimera::core
