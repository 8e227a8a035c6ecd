#pragma once

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/run/run_document.hpp"

namespace chimera::core {

/// `metrics.json` of a run, the reference agents' metrics file for one run: configuration,
/// aggregate metrics, individual calls, workflow timings and a data summary
/// (schema: proto-free-api/schemas/metrics.schema.json). Strings may hold invalid UTF-8:
/// dump with `nlohmann::json::error_handler_t::replace`.
[[nodiscard]] nlohmann::json run_metrics_json(const run_document& run);

}  // namespace chimera::core
