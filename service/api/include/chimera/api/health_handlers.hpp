#pragma once

#include <functional>

#include "chimera/http/router.hpp"

namespace chimera::service {

class backend_monitor;
class service_metrics;

/// GET /healthz (liveness: never touches the backend), GET /readyz (503 while draining,
/// else the backend monitor's last probe: answers at once, never waits on Ollama).
void add_health_routes(router& routes, const backend_monitor& monitor, std::function<bool()> draining);

/// GET /metrics (Prometheus text format).
void add_metrics_route(router& routes, const service_metrics& metrics);

}  // namespace chimera::service
