#pragma once

#include <string>
#include <string_view>

#include "chimera/core/run/run_document.hpp"

namespace chimera::core {

/// `report.md`: the model's technical report under a header naming the date (UTC, ISO 8601:
/// when the run finished), the run, the model and the Ollama options, as the reference agents
/// head theirs. The run's measurements are in the agent report (agent_report_renderer.hpp).
[[nodiscard]] std::string render_report(const run_document& run, std::string_view report_text);

}  // namespace chimera::core
