#pragma once

#include "chimera/api/jobs_resource.hpp"
#include "chimera/http/router.hpp"

namespace chimera::service {

/// POST /runs, GET /runs/{id}, DELETE /runs/{id}, GET /runs/{id}/report[?kind=llm|agent].
void add_runs_routes(router& routes, jobs_resource& resource);

}  // namespace chimera::service
