#pragma once

#include "chimera/api/jobs_resource.hpp"
#include "chimera/http/router.hpp"

namespace chimera::service {

/// POST /sweeps, GET /sweeps, GET /sweeps/{id}, DELETE /sweeps/{id},
/// GET /sweeps/{id}/report[?format=md|csv|json].
void add_sweeps_routes(router& routes, jobs_resource& resource);

}  // namespace chimera::service
