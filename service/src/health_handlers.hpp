#pragma once

#include "backend_connection_pool.hpp"
#include "router.hpp"

namespace chimera::service {

class service_metrics;

/// GET /healthz (liveness: never touches the backend), GET /readyz (ready when the
/// backend answers), GET /metrics (Prometheus text format).
void add_health_routes(router& routes,
                       backend_connection_pool& pool,
                       const backend_settings& settings,
                       service_metrics& metrics);

}  // namespace chimera::service
