#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chimera/backend/backend_connection_pool.hpp"

namespace chimera::service {

struct probe_result {
    bool ready = false;
    std::string detail;                  ///< why not, or the backend's version
    std::optional<std::string> version;  ///< the engine's own version string, when it gave one (Ollama)

    [[nodiscard]] static probe_result failed(std::string why) { return {false, std::move(why), std::nullopt}; }
};

/// A run's connection, checked with the readiness probe before its first call.
struct checked_connection {
    backend_connection connection;  ///< none when the check failed: the first call connects itself
    probe_result check;
};

/// Asks the backend for `GET /api/version` (Ollama) or `GET /v1/models` (OpenAI-compatible: it
/// has no version route) over a pooled connection, bounded by a short timeout: the readiness
/// check a load balancer polls.
awaitable<probe_result> probe_backend(backend_connection_pool& pool, const backend_settings& settings);

/// The connection a run streams its calls on, taken from the pool (or opened) and checked with
/// the readiness probe over it, while the run reads its files. The check names the engine's
/// version for the run document, and makes the first call's request the connection's second: as
/// the first, it had taken about 0.2 ms more TTFT than the second call's (docs/benchmarks.md).
/// It is asked through the streamed calls' own code (fetch_over_call_path), which so runs, and
/// grows the heap it needs, before the first call: that was 0.03–0.07 ms more of its TTFT.
awaitable<checked_connection> check_run_connection(backend_connection_pool& pool, const backend_settings& settings);

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
