#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/stats/descriptive_stats.hpp"

namespace chimera::core {

/// One run's calls summed up: the aggregate metrics of the reference agents' reports
/// (their per-run figures), which `agent_report.md` and `metrics.json` both show.
struct run_aggregate {
    std::size_t calls = 0;  ///< completed calls: a failed call has no backend stats to add
    int attempts = 0;       ///< Σ attempts of every call, the failed ones and retries included
    /// Σ eval tokens / Σ eval seconds over the calls (the reference agents' per-run throughput);
    /// absent when no call reported eval time.
    std::optional<double> tokens_per_second;
    std::optional<descriptive_stats> call_tokens_per_second;  ///< across calls; absent without calls
    std::optional<descriptive_stats> ttft_ms;                 ///< across calls; absent without calls
    std::int64_t tokens_generated = 0;
    std::int64_t prompt_tokens = 0;
    double total_ms = 0;  ///< Σ backend total_duration
    double load_ms = 0;
    double prompt_eval_ms = 0;
    double eval_ms = 0;
};

[[nodiscard]] run_aggregate aggregate_calls(std::span<const call_metrics> calls);

}  // namespace chimera::core
