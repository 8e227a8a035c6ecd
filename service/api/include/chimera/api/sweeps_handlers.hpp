#pragma once

#include <string>

#include "chimera/http/router.hpp"
#include "chimera/runs/data_root.hpp"

namespace chimera::service {

class sweep_store;
class run_scheduler;

/// What the /sweeps resource needs; outlives the router.
struct sweeps_resource {
    sweep_store& store;
    run_scheduler& scheduler;
    const data_root& root;
    std::string default_model;
};

/// POST /sweeps, GET /sweeps, GET /sweeps/{id}, DELETE /sweeps/{id},
/// GET /sweeps/{id}/report[?format=md|csv|json].
void add_sweeps_routes(router& routes, sweeps_resource& resource);

}  // namespace chimera::service
