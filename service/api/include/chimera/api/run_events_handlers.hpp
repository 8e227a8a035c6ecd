#pragma once

#include "chimera/http/router.hpp"

namespace chimera::service {

class run_scheduler;
class run_events;

/// GET /runs/{id}/events: Server-Sent Events of one run. A finished run sends its
/// document and ends; a queued or running one sends its status, then `status` and
/// `token` events as they happen, and its document when it ends (the last event).
/// `: keep-alive` comments every 15 s while nothing happens.
void add_run_events_route(router& routes, run_scheduler& scheduler, run_events& events);

}  // namespace chimera::service
