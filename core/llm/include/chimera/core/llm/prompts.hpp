#pragma once

#include <string>

#include "chimera/core/llm/analysis.hpp"

namespace chimera::core {

/// Prompt of the first (analysis) call, built around the data summary.
[[nodiscard]] std::string build_analysis_prompt(const std::string& data_summary);

/// Prompt of the second (report) call, built from the parsed analysis.
[[nodiscard]] std::string build_report_prompt(const analysis& parsed, const std::string& data_summary);

}  // namespace chimera::core
