#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "chimera/core/llm/call_metrics.hpp"

namespace chimera::core {

/// A call's latency and whether it had to load the model first.
struct call_latency {
    double ttft_ms = 0;
    std::optional<double> load_ms;  ///< absent when the recording did not keep it
};

/// A model load takes seconds (3.2–3.7 s for gemma3 4B in the recorded study); a call on a
/// resident model reports a load_duration of a few milliseconds. 100 ms separates the two
/// with a wide margin on both sides.
inline constexpr double cold_load_threshold_ms = 100;

enum class start_kind { cold, warm, unknown };

/// cold: the call loaded the model (load_duration ≥ cold_load_threshold_ms), so its TTFT is
/// mostly load time; warm: it did not; unknown: no load_duration recorded.
[[nodiscard]] start_kind classify_start(const call_latency& call);

/// What the sweep statistics use of one successful run.
struct run_observation {
    double tokens_per_second = 0;  ///< Σ eval tokens / Σ eval seconds over the run's calls
    std::int64_t tokens_generated = 0;
    double duration_ms = 0;  ///< Σ of the backend's total_duration over the calls
    std::vector<call_latency> calls;
};

/// The observation of a run from its per-call metrics. Throughput is token-weighted over the
/// calls (the Rust reference agent's definition), i.e. the decode rate of the run as a whole.
[[nodiscard]] run_observation make_run_observation(std::span<const call_metrics> calls);

}  // namespace chimera::core
