#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "backend_connection_pool.hpp"
#include "chimera/core/call_metrics.hpp"
#include "chimera/core/generation_stats.hpp"

namespace chimera::service {

class run_cancellation;

/// The outcome of one streamed `/api/generate` call.
struct streamed_generation {
    core::generation_stats stats;
    core::client_timings timings;
    std::string text;
};

/// The non-empty tokens one read of the socket delivered. The client cannot tell apart
/// tokens that arrived in the same read, so they share its arrival time: the first is
/// `first_gap_seconds` after the previous read's last token (nullopt for the stream's
/// first token), the other `tokens - 1` follow it with a gap of 0.
struct token_batch {
    std::optional<double> first_gap_seconds;
    std::size_t tokens = 0;
};

/// Called once per read that delivered at least one non-empty token.
using token_sink = std::function<void(const token_batch& batch)>;

/// What a call needs besides its body. Everything is borrowed and must outlive the call.
struct generate_call_context {
    backend_connection_pool& pool;
    const backend_settings& settings;
    run_cancellation* cancellation = nullptr;  ///< closes the socket in flight when triggered
    token_sink on_token;
};

/// Streams one `POST /api/generate` and measures it. This is where TTFT is taken:
/// from the call's start — connection checkout included, so a cold connect counts —
/// to the first non-empty `response` token, on the steady clock.
///
/// `connection` is used when set (a run keeps one for both calls), else taken from
/// the pool; it is left set only when the response was read whole on a keep-alive
/// connection. A reused connection that the backend had closed while idle is
/// replaced once, provided no byte of the response had arrived.
/// Throws run_failure naming the cause (HTTP error with Ollama's message, mid-stream
/// error line, truncated stream, which timeout fired, cancellation) and whether a
/// retry is safe. `body` must outlive the call.
awaitable<streamed_generation> stream_generate(generate_call_context& context,
                                               backend_connection& connection,
                                               const std::string& body);

}  // namespace chimera::service
