#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "backend_connection_pool.hpp"
#include "chimera/core/call_metrics.hpp"
#include "chimera/core/generation_stats.hpp"

namespace chimera::service {

/// The outcome of one streamed `/api/generate` call.
struct streamed_generation {
    core::generation_stats stats;
    core::client_timings timings;
    std::string text;
};

/// Called with each non-empty token as it arrives (for live watchers); may be empty.
using token_sink = std::function<void(std::string_view)>;

/// Streams one `POST /api/generate` and measures it. This is where TTFT is taken:
/// from the call's start — connection checkout included, so a cold connect counts —
/// to the first non-empty `response` token, on the steady clock.
///
/// `connection` is used when set (a run keeps one for both calls), else taken from
/// the pool; it is left set only when the response was read whole on a keep-alive
/// connection. A reused connection that the backend had closed while idle is
/// replaced once, provided no byte of the response had arrived.
/// Throws run_failure naming the cause (HTTP error with Ollama's message, mid-stream
/// error line, truncated stream, which timeout fired).
awaitable<streamed_generation> stream_generate(backend_connection_pool& pool,
                                               backend_connection& connection,
                                               const backend_settings& settings,
                                               std::string body,
                                               const token_sink& on_token = {});

}  // namespace chimera::service
