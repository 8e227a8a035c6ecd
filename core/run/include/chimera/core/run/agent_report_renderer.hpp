#pragma once

#include <string>

#include "chimera/core/run/run_document.hpp"

namespace chimera::core {

/// `agent_report.md`: the run report in the reference agents' style — header, configuration,
/// aggregate metrics, per-call metrics, workflow timings, data summary, findings and
/// recommendations. Only figures the run measured: a failed run says what it lacks.
[[nodiscard]] std::string render_agent_report(const run_document& run);

}  // namespace chimera::core
