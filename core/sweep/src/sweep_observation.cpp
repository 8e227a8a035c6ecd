#include "chimera/core/sweep/sweep_observation.hpp"

#include "chimera/core/sweep/sweep_plan.hpp"

namespace chimera::core {

sweep_observations plan_observations(const sweep_plan& plan, std::string model) {
    sweep_observations observations;
    observations.model = std::move(model);
    observations.baselines.push_back({plan.baseline.label, plan.baseline.options, plan.baseline.backend, {}});
    for (const auto& config : plan.configs)
        observations.configs.push_back({{config.label, config.options, config.backend, {}}, 0, true});
    return observations;
}

observed_arm& arm_of(sweep_observations& observations, const planned_run& run) {
    return run.config ? observations.configs.at(*run.config).arm : observations.baselines.at(0);
}

}  // namespace chimera::core
