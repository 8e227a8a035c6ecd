#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "chimera/backend/backend_settings.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/sweep/sweep_observation.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::service {

struct live_sweep_settings {
    backend_settings backend;
    core::sweep_spec spec;
    std::string model;  ///< the spec's, else --model
    std::filesystem::path output_dir;
    core::ingest_limits limits;
};

struct live_sweep_outcome {
    core::sweep_observations observations;  ///< of the runs that succeeded
    std::size_t planned = 0;
    std::size_t succeeded = 0;
};

/// `chimera sweep --spec FILE`: the plan of core::expand_sweep executed here, one run at a
/// time in its fair order with the spec's cool-down between runs, against Ollama directly
/// (no server, no store). Each run's files go to `<output_dir>/<n>_<arm>/`. SIGINT/SIGTERM
/// stop the run in flight and skip the rest; what ran is still returned.
[[nodiscard]] live_sweep_outcome execute_live_sweep(const live_sweep_settings& settings);

}  // namespace chimera::service
