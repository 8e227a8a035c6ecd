#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "chimera/backend/backend_connection_pool.hpp"
#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/llm/generation_stats.hpp"

namespace chimera::service {

class run_cancellation;

/// The outcome of one streamed call.
struct streamed_generation {
    core::generation_stats stats;
    core::client_timings timings;
    std::string text;
};

/// The inter-token gaps of the non-empty tokens one read of the socket delivered:
/// `count` gaps of `gap_seconds` each. The client cannot see when each of those tokens
/// arrived, only that they all had by the end of the read, so the time since the
/// previous read's last token is spread evenly over them. Recording it as one long gap
/// and zeros instead would put the cadence of our reads, not the backend's, into the
/// histogram. The stream's first token has no gap (it is the TTFT): tokens that came
/// in its read follow it at 0.
struct token_batch {
    double gap_seconds = 0;
    std::size_t count = 0;
    std::string_view text;  ///< what the read's tokens added to the response, the first token's included
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

/// Streams one generation in the backend's wire and measures it: Ollama's `POST /api/generate`
/// (NDJSON), or for an OpenAI-compatible backend (`settings.kind`, llama.cpp, vLLM)
/// `POST /v1/chat/completions` (Server-Sent Events), with `Authorization` when the settings have
/// one. `body` is in that wire (core::make_call_body). This is where TTFT is taken, for both
/// wires alike: from the call's start — connection checkout included, so a cold connect counts —
/// to the arrival of the bytes that held the first non-empty token (Ollama's `response`, the
/// OpenAI `delta.content`: the role-only first chunk never counts), on the steady clock. Arrival
/// is the kernel's receive stamp (stamped_stream_reader), not when the io thread got to the bytes,
/// so the client's own wake-up stays out of the figure. The arrival of the last non-empty token
/// gives the client's decode time (client_timings::decode_ms), the rate of an engine that
/// reports no durations.
///
/// `connection` is used when set (a run keeps one for both calls), else taken from
/// the pool; it is left set only when the response was read whole on a keep-alive
/// connection. A reused connection that the backend had closed while idle is
/// replaced once, provided no byte of the response had arrived.
/// Throws core::run_failure naming the cause (HTTP error with the backend's message, mid-stream
/// error, a stream that ended without done:true or [DONE], which timeout fired, cancellation)
/// and whether a retry is safe; an OpenAI-compatible backend is named by its name, not as Ollama.
/// `body` must outlive the call.
awaitable<streamed_generation> stream_generate(generate_call_context& context,
                                               backend_connection& connection,
                                               const std::string& body);

/// A reply read whole.
struct fetched_reply {
    unsigned status = 0;
    std::string body;  ///< at most 1 MiB of it
};

/// `GET target` over `stream`, read whole through the machinery of the streamed calls (their
/// request type, writer, stamped reader and parser), the whole exchange bounded by `timeout` (a
/// probe's: when it fires, the failure names "the probe's timeout"). The readiness probe, model
/// discovery and above all a run's connection check go through it: so this code has run, and the
/// heap it needs has grown, before the run's first call, during the ingest rather than within the
/// first call's TTFT (docs/benchmarks.md, "The first call"). Throws core::run_failure as a call does.
awaitable<fetched_reply> fetch_over_call_path(boost::beast::tcp_stream& stream,
                                              const backend_settings& settings,
                                              const char* target,
                                              std::chrono::milliseconds timeout);

}  // namespace chimera::service
