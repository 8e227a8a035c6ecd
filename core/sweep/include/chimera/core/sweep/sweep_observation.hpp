#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chimera/core/llm/run_options.hpp"
#include "chimera/core/run/run_observation.hpp"

namespace chimera::core {

/// The baseline or one config, with the runs that succeeded.
struct observed_arm {
    std::string label;
    run_options options;
    std::optional<std::string> backend;  ///< the backend its runs executed on, when the sweep named one
    std::vector<run_observation> runs;
};

struct observed_config {
    observed_arm arm;
    std::size_t baseline = 0;  ///< index into sweep_observations::baselines it is compared with
    bool in_grid = true;       ///< false for ad-hoc runs of a recorded study: reported, not summarised
};

struct sweep_plan;
struct planned_run;

/// A sweep's measurements. A Chimera sweep has one baseline shared by all configs; the recorded
/// reference studies measured a fresh baseline next to every config, hence several.
struct sweep_observations {
    std::string model;
    std::vector<observed_arm> baselines;
    std::vector<observed_config> configs;
};

/// The arms of a planned sweep, without runs yet: its baseline, then its configs in plan order,
/// each compared with that one baseline.
[[nodiscard]] sweep_observations plan_observations(const sweep_plan& plan, std::string model);

/// The arm of `observations` (made by plan_observations) that a planned run measures.
[[nodiscard]] observed_arm& arm_of(sweep_observations& observations, const planned_run& run);

}  // namespace chimera::core
