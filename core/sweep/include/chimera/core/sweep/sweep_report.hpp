#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/sweep/sweep_analysis.hpp"

namespace chimera::core {

/// The sweep report in Markdown, in the style of the seed report's tables: findings, the
/// baseline(s), per-config results (tok/s mean ± sd, CV, TTFT mean ± sd, tokens, deltas, p, d),
/// the ranking, the cross-config summary, and cold vs warm TTFT.
[[nodiscard]] std::string render_sweep_markdown(const sweep_result& result);

/// One row per baseline and per config; columns documented in proto-free-api/README.md.
/// Numbers at full precision, empty cells where a statistic is not computable.
[[nodiscard]] std::string render_sweep_csv(const sweep_result& result);

/// The sweep result as JSON (schema: proto-free-api/schemas/sweep_result.schema.json).
[[nodiscard]] nlohmann::json to_json(const sweep_result& result);

}  // namespace chimera::core
