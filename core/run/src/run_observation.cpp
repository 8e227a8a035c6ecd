#include "chimera/core/run/run_observation.hpp"

namespace chimera::core {

start_kind classify_start(const call_latency& call) {
    if (!call.load_ms) return start_kind::unknown;
    return *call.load_ms >= cold_load_threshold_ms ? start_kind::cold : start_kind::warm;
}

run_observation make_run_observation(std::span<const call_metrics> calls) {
    run_observation run;
    double eval_ms = 0;
    for (const auto& call : calls) {
        if (!completed(call)) continue;
        run.tokens_generated += call.tokens_generated;
        run.duration_ms += call.total_ms;
        eval_ms += call.eval_ms;
        run.calls.push_back({call.ttft_ms, call.load_ms});
    }
    if (eval_ms > 0) run.tokens_per_second = static_cast<double>(run.tokens_generated) / (eval_ms / 1000);
    return run;
}

}  // namespace chimera::core
