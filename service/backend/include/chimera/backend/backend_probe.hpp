#pragma once

#include <string>
#include <vector>

#include "chimera/backend/backend_connection_pool.hpp"

namespace chimera::service {

struct probe_result {
    bool ready = false;
    std::string detail;  ///< why not, or the backend's version
};

/// Asks the backend for `GET /api/version` (Ollama) or `GET /v1/models` (OpenAI-compatible: it
/// has no version route) over a pooled connection, bounded by a short timeout: the readiness
/// check a load balancer polls.
awaitable<probe_result> probe_backend(backend_connection_pool& pool, const backend_settings& settings);

/// The models the backend lists (`GET /api/tags`, OpenAI-compatible `GET /v1/models`); none
/// when it cannot be asked.
awaitable<std::vector<std::string>> list_backend_models(backend_connection_pool& pool,
                                                        const backend_settings& settings);

/// Ollama's load-only request (`{"model":…}` with no prompt): loads the model so the first run
/// doesn't pay the cold load. Bounded by the headers timeout. Ollama only: an OpenAI-compatible
/// engine loads its model when it starts, and has no such request.
awaitable<probe_result> preload_backend_model(backend_connection_pool& pool,
                                              const backend_settings& settings,
                                              const std::string& model);

}  // namespace chimera::service
