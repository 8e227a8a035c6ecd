#include "chimera/core/run/run_aggregate.hpp"

#include <vector>

#include "chimera/core/run/run_observation.hpp"

namespace chimera::core {

run_aggregate aggregate_calls(std::span<const call_metrics> calls) {
    run_aggregate out;
    std::vector<double> tokens_per_second;
    std::vector<double> ttft_ms;
    for (const auto& call : calls) {
        out.attempts += call.attempts;
        if (!completed(call)) continue;
        ++out.calls;
        out.prompt_tokens += call.prompt_tokens;
        out.load_ms += call.load_ms;
        out.prompt_eval_ms += call.prompt_eval_ms;
        out.eval_ms += call.eval_ms;
        tokens_per_second.push_back(call.tokens_per_second);
        ttft_ms.push_back(call.ttft_ms);
    }
    // The sweeps' definition of a run's throughput and size, so the two never disagree.
    const auto observed = make_run_observation(calls);
    out.tokens_generated = observed.tokens_generated;
    out.total_ms = observed.duration_ms;
    if (out.eval_ms > 0) out.tokens_per_second = observed.tokens_per_second;
    out.call_tokens_per_second = describe(tokens_per_second);
    out.ttft_ms = describe(ttft_ms);
    return out;
}

}  // namespace chimera::core
