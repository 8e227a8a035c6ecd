#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/llm/analysis.hpp"
#include "chimera/core/llm/backend_kind.hpp"
#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/run/failure_type.hpp"
#include "chimera/core/run/run_request.hpp"

namespace chimera::core {

enum class run_status { queued, running, succeeded, failed, cancelled };
enum class run_stage { queued, ingest, analysis, report, done };

[[nodiscard]] std::string_view to_string(run_status status);
[[nodiscard]] std::string_view to_string(run_stage stage);
[[nodiscard]] std::optional<run_status> parse_run_status(std::string_view text);
[[nodiscard]] bool is_terminal(run_status status);

/// A failure a user can act on: a stable type and a human sentence.
struct run_error {
    failure_type type = failure_type::internal_error;
    std::string detail;
};

struct stage_timings {
    std::optional<double> ingest_seconds;
    std::optional<double> analysis_seconds;
    std::optional<double> report_seconds;
    std::optional<double> total_seconds;
};

using wall_time = std::chrono::system_clock::time_point;

/// The engine a run's calls went to, as the run's check over its connection found it before the
/// first call: what a reader of a benchmark needs to know what was measured.
struct engine_identity {
    std::string backend;  ///< the backend's name (`--backend NAME=URL`)
    backend_kind kind = backend_kind::ollama;
    std::optional<std::string> version;  ///< Ollama's /api/version; OpenAI-compatible engines have no such route
};

/// Everything `GET /runs/{id}` shows about a run.
struct run_document {
    std::string id;
    run_status status = run_status::queued;
    run_stage stage = run_stage::queued;
    /// Executions started so far: 0 while queued for the first time; more than 1 when a
    /// process died mid-run or a drain handed the run back, and the run was taken up again.
    std::int64_t attempt = 0;
    /// Of those, the executions a drain (a graceful stop) handed back unfinished: they do not
    /// count toward --max-attempts, which bounds the executions that crashed or lost their lease.
    std::int64_t handed_back = 0;
    /// The process (host-pid-tag) that executes the run, or last executed it; empty while it
    /// waits: where to look in the logs when replicas share a store.
    std::string executed_by;
    std::string model;
    run_options options;
    std::optional<std::string> label;
    /// The backend the request named; none: routed by model (each call says where it ran).
    std::optional<std::string> backend;
    /// None until the check has answered, or when it failed (the calls then connect themselves).
    std::optional<engine_identity> engine;
    /// The X-Request-Id of the request that created the run: its log lines carry it too.
    std::optional<std::string> request_id;
    std::string data_dir;
    wall_time created_at;
    std::optional<wall_time> started_at;
    std::optional<wall_time> finished_at;
    std::optional<run_error> error;
    std::optional<ingest_result> ingest;
    std::vector<call_metrics> calls;
    stage_timings timings;
    std::optional<analysis> parsed_analysis;
};

/// RFC 3339 UTC with milliseconds, e.g. 2026-11-27T17:09:58.123Z.
[[nodiscard]] std::string format_rfc3339(wall_time t);

/// The run document as the API's JSON (schema: proto-free-api/schemas/run_document.schema.json).
/// Strings in it (analysis, errors, file names) may hold invalid UTF-8 from the model or the
/// filesystem: dump it with `nlohmann::json::error_handler_t::replace`, or `dump()` throws.
[[nodiscard]] nlohmann::json to_json(const run_document& run);

/// Stage durations in seconds, null for a stage that did not run.
[[nodiscard]] nlohmann::json to_json(const stage_timings& timings);

}  // namespace chimera::core
