#pragma once

#include <functional>

#include "chimera/http/router.hpp"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace chimera::service {

class backend_fleet;
class service_metrics;
class store_monitor;

/// What readiness reads: every input answers at once, none waits on I/O.
struct readiness_inputs {
    const backend_fleet& backends;
    const store_monitor& store;
    std::function<bool()> draining;
};

/// GET /healthz (liveness: the process serves HTTP). GET /readyz: whether this replica can
/// serve the API — 503 while draining or while its run store cannot write; the backends'
/// health is reported in the body but does not decide (every replica shares the backends, and
/// reads of runs need none). See docs/operations.md, "Readiness".
void add_health_routes(router& routes, readiness_inputs inputs);

/// GET /metrics (Prometheus text format), rendered on `render_pool`, off the network thread.
void add_metrics_route(router& routes, const service_metrics& metrics, boost::asio::thread_pool& render_pool);

}  // namespace chimera::service
