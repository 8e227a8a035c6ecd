#pragma once

#include <string>

#include "backend_connection_pool.hpp"

namespace chimera::service {

struct probe_result {
    bool ready = false;
    std::string detail;  ///< why not, or the backend's version
};

/// Asks the backend for `GET /api/version` over a pooled connection, bounded by
/// a short timeout: the readiness check a load balancer polls.
awaitable<probe_result> probe_backend(backend_connection_pool& pool, const backend_settings& settings);

}  // namespace chimera::service
