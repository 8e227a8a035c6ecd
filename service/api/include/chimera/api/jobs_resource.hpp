#pragma once

#include <string>

#include "chimera/runs/data_root.hpp"

namespace chimera::service {

class run_store;
class sweep_store;
class run_scheduler;

/// What the /runs and /sweeps handlers work on; outlives the router.
struct jobs_resource {
    run_store& runs;
    sweep_store& sweeps;
    run_scheduler& scheduler;
    const data_root& root;
    std::string default_model;  ///< of runs and sweeps that name none
};

}  // namespace chimera::service
