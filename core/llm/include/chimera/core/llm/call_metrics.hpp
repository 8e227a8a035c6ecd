#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chimera/core/llm/generation_stats.hpp"

namespace chimera::core {

enum class call_stage { analysis, report };

[[nodiscard]] std::string_view to_string(call_stage stage);

/// Client-side timings of one streamed call, taken on a steady clock by the caller.
struct client_timings {
    double ttft_ms = 0;    ///< call start (connection checkout included) to first non-empty token
    double stream_ms = 0;  ///< call start to the final chunk
};

/// The per-call record of a run document: client timings joined with backend stats.
struct call_metrics {
    call_stage stage = call_stage::analysis;
    double ttft_ms = 0;
    double tokens_per_second = 0;
    std::int64_t tokens_generated = 0;
    std::int64_t prompt_tokens = 0;
    double prompt_eval_ms = 0;
    double eval_ms = 0;
    double load_ms = 0;
    double total_ms = 0;
    double stream_ms = 0;
    std::string done_reason;
    int attempts = 1;  ///< 1 + retries after connect failures, 503 "server busy" or resets before any byte
};

[[nodiscard]] call_metrics make_call_metrics(call_stage stage,
                                             const client_timings& client,
                                             const generation_stats& backend);

}  // namespace chimera::core
