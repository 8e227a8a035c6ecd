#pragma once

#include <string>
#include <vector>

#include "chimera/core/sweep/sweep_analysis.hpp"

namespace chimera::core {

/// A few plain sentences on what a sweep found, generated from its statistics (no LLM): best
/// and worst config, how many beat the baseline, whether configs differ by more than run-to-run
/// noise, which differences are significant, the TTFT change, and how many calls were cold.
[[nodiscard]] std::vector<std::string> summarize_findings(const sweep_result& result);

}  // namespace chimera::core
