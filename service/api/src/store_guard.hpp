#pragma once

#include <optional>
#include <string>

#include "chimera/http/router.hpp"

namespace chimera::service {

class store_error;
class store_monitor;

/// The 503 (with Retry-After) of a write the store monitor already knows cannot be made now,
/// so that a full disk refuses new work at once rather than by chance (SQLite may still find
/// room in its write-ahead log while the state directory has none).
[[nodiscard]] std::optional<http_response> refuse_while_unwritable(const store_monitor& health,
                                                                   const http_request& request);

/// The 503 (with Retry-After) of a request the run store failed under; tells `health`.
[[nodiscard]] http_response store_unavailable(store_monitor& health,
                                              const http_request& request,
                                              const store_error& error);

/// `handler`, answering 503 with Retry-After when the run store fails under it: a store that
/// cannot read or write (a full disk, a database that is down) is the service's trouble, not
/// the request's, and the client should come back. Tells `health` how the store fared, so
/// readiness follows.
[[nodiscard]] route_handler store_guarded(store_monitor& health, route_handler handler);

/// routes.add of store_guarded(`handler`): how the /runs and /sweeps routes are added.
void add_store_guarded(
    router& routes, store_monitor& health, http::verb method, std::string pattern, route_handler handler);

}  // namespace chimera::service
