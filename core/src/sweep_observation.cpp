#include "chimera/core/sweep_observation.hpp"

#include "chimera/core/sweep_plan.hpp"

namespace chimera::core {

start_kind classify_start(const call_latency& call) {
    if (!call.load_ms) return start_kind::unknown;
    return *call.load_ms >= cold_load_threshold_ms ? start_kind::cold : start_kind::warm;
}

run_observation make_run_observation(std::span<const call_metrics> calls) {
    run_observation run;
    double eval_ms = 0;
    for (const auto& call : calls) {
        run.tokens_generated += call.tokens_generated;
        run.duration_ms += call.total_ms;
        eval_ms += call.eval_ms;
        run.calls.push_back({call.ttft_ms, call.load_ms});
    }
    if (eval_ms > 0) run.tokens_per_second = static_cast<double>(run.tokens_generated) / (eval_ms / 1000);
    return run;
}

sweep_observations plan_observations(const sweep_plan& plan, std::string model) {
    sweep_observations observations;
    observations.model = std::move(model);
    observations.baselines.push_back({plan.baseline.label, plan.baseline.options, {}});
    for (const auto& config : plan.configs)
        observations.configs.push_back({{config.label, config.options, {}}, 0, true});
    return observations;
}

observed_arm& arm_of(sweep_observations& observations, const planned_run& run) {
    return run.config ? observations.configs.at(*run.config).arm : observations.baselines.at(0);
}

}  // namespace chimera::core
