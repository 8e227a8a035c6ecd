#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "chimera/backend/backend_settings.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/run/run_document.hpp"
#include "chimera/core/sweep/sweep_observation.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::service {

/// What `chimera sweep` shows while it runs: called on the io thread, between network waits.
struct live_sweep_observer {
    std::function<void(const std::string& config)> run_started;
    /// `so_far`: the observations of every run that succeeded up to this one.
    std::function<void(
        const std::string& config, const core::run_document& run, const core::sweep_observations& so_far)>
        run_ended;
};

struct live_sweep_settings {
    std::vector<backend_settings> backends;
    core::sweep_spec spec;
    std::string model;  ///< the spec's, else --model
    std::filesystem::path output_dir;
    core::ingest_limits limits;
    live_sweep_observer observer;
};

struct live_sweep_outcome {
    core::sweep_observations observations;  ///< of the runs that succeeded
    std::size_t planned = 0;
    std::size_t succeeded = 0;
    std::size_t ended = 0;     ///< runs that executed, whatever their outcome
    bool interrupted = false;  ///< SIGINT or SIGTERM stopped the sweep
};

/// `chimera sweep --spec FILE`: the plan of core::expand_sweep executed here, one run at a
/// time in its fair order with the spec's cool-down between runs, against the backends directly
/// (no server, no store); a run of an arm naming a backend runs there. Each run's files go to
/// `<output_dir>/<n>_<arm>/`. SIGINT/SIGTERM stop the run in flight and skip the rest; what ran
/// is still returned. Throws std::invalid_argument, before any run, when an arm names a backend
/// not in `backends` or options its backend cannot take (sweep_routing_refusal).
[[nodiscard]] live_sweep_outcome execute_live_sweep(const live_sweep_settings& settings);

}  // namespace chimera::service
