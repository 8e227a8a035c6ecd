#pragma once

#include <optional>
#include <string_view>

namespace chimera::core {

/// Why a run failed or stopped: `error.type` of the run document (docs/architecture.md,
/// "Failure vocabulary"). to_string gives the stable wire value.
enum class failure_type {
    backend_unavailable,     ///< connect failure, 5xx, reset before an answer
    backend_error,           ///< Ollama's 4xx or its mid-stream error, with its message
    backend_protocol_error,  ///< a reply that is not HTTP, not NDJSON, or generated nothing
    stream_truncated,        ///< the stream ended without done:true
    timeout,                 ///< the detail names which timeout fired
    cancelled,
    ingest_failed,
    ingest_limit_exceeded,  ///< a whole-run limit: files or bytes per run
    no_benchmark_files,
    attempts_exhausted,      ///< the processes executing it stopped --max-attempts times
    invalid_stored_request,  ///< the stored request no longer parses (written by another version)
    data_dir_refused,        ///< data_dir no longer resolves beneath the data roots
    unsupported_options,     ///< options the run's backend cannot take (core::options_unsupported_by)
    internal_error,
};

[[nodiscard]] std::string_view to_string(failure_type type);

/// The type a wire value names; nullopt for a value this version does not know.
[[nodiscard]] std::optional<failure_type> parse_failure_type(std::string_view text);

}  // namespace chimera::core
