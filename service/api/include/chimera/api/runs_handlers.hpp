#pragma once

#include <string>

#include "chimera/http/router.hpp"
#include "chimera/runs/data_root.hpp"

namespace chimera::service {

class run_store;
class run_scheduler;

/// What the /runs resource needs; outlives the router.
struct runs_resource {
    run_store& store;
    run_scheduler& scheduler;
    const data_root& root;
    std::string default_model;
};

/// POST /runs, GET /runs/{id}, DELETE /runs/{id}, GET /runs/{id}/report[?kind=llm|agent].
void add_runs_routes(router& routes, runs_resource& resource);

}  // namespace chimera::service
