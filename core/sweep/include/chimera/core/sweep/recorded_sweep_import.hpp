#pragma once

#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_observation.hpp"

namespace chimera::core {

/// One config's data/metrics.json as the reference agents recorded it.
struct recorded_metrics_file {
    std::string folder;  ///< the config's directory: "gpu60_ctx256_temp0p6", "run_gpu60_ctx256_temp0p6"
    nlohmann::json metrics;
};

/// A recording that is not one of the two known layouts, or misses a field; the message names
/// the folder and the JSON path.
class recorded_format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The config folder of a recorded metrics file: ".../<config>/data/metrics.json" → "<config>"
/// (or ".../<config>/metrics.json").
[[nodiscard]] std::string recorded_folder(const std::filesystem::path& metrics_file);

/// The reference agents' sweeps (seed report TR111 v2 / TR112 v2) as sweep observations, one
/// file per config, in the given order. Two layouts are understood:
///
/// - Rust (Demo_rust_agent_sweep/<config>/data/metrics.json): {"baseline", "chimera"} blocks with
///   `individual_runs`; throughput is recomputed per run as tokens_generated / eval_duration, and
///   each run's ttft_ms and load_duration_ms become one call.
/// - Python (chimera_sweep/run_<config>/data/metrics.json): an array of runs whose
///   `baseline_results` / `chimera_results` keep only per-run aggregates (average tok/s and TTFT
///   over the run's two calls, no load_duration), which are taken as recorded.
///
/// Each folder brings its own baseline, measured next to its config, so configs are compared
/// with their own baseline as the published tables do. Folders not named gpu<G>_ctx<C>_temp<T>
/// (the Rust sweep's `manual_test`) are imported but marked outside the grid. All files must
/// share one layout and one model. Throws recorded_format_error.
[[nodiscard]] sweep_observations import_recorded_sweep(std::span<const recorded_metrics_file> files);

}  // namespace chimera::core
