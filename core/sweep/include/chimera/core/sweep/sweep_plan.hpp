#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "chimera/core/run/run_request.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::core {

struct sweep_config {
    std::string label;  ///< "baseline", or the grid point: "gpu60_ctx256_temp0.6", "llamacpp-b_temp0.6"
    run_options options;
    std::optional<std::string> backend;  ///< where its runs execute; none: routed by model
};

struct planned_run {
    std::size_t repetition = 0;         ///< 0-based
    std::optional<std::size_t> config;  ///< index into sweep_plan::configs; absent for the baseline
};

/// A sweep expanded into the runs to execute, one at a time, in this order.
struct sweep_plan {
    sweep_config baseline;
    std::vector<sweep_config> configs;  ///< grid order: the backend axis slowest, the last option axis fastest
    std::vector<planned_run> runs;
};

/// Expands the grid and orders the runs so that drift over the sweep (thermals, background
/// load, a slowly filling cache) favours neither the baseline nor any config — nor any backend,
/// which is an axis like the others:
///
/// - each repetition is a block running the baseline and every config once;
/// - blocks come in mirrored pairs — an order, then the same order reversed — so within a pair
///   every run's mean position is the block's midpoint and a linear drift cancels exactly;
/// - each pair rotates the config order by configs / pairs, so a config does not always follow
///   the same neighbour (a model reload or a long generation carries over into the next run);
/// - with an odd repetition count the last block is unpaired; the baseline runs in its middle
///   (position ⌊configs / 2⌋), which keeps the baseline's mean position at the midpoint (within
///   half a run over the repetitions for an odd config count); a config's mean position then
///   differs from the baseline's by at most ⌈configs / 2⌉ / repetitions runs.
///
/// The baseline runs on baseline.backend, else — when the grid varies the backend — on the
/// first backend of the grid, so that no arm mixes engines; a config runs on its grid backend,
/// else on the baseline's.
///
/// See docs/sweeps.md for the reasoning and a worked example.
[[nodiscard]] sweep_plan expand_sweep(const sweep_spec& spec);

/// The config a planned run executes.
[[nodiscard]] const sweep_config& config_of(const sweep_plan& plan, const planned_run& run);

}  // namespace chimera::core
