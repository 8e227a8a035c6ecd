#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chimera::core {

/// The structured result of the analysis call.
struct analysis {
    std::string summary;
    std::vector<std::string> key_findings;
    std::vector<std::string> recommendations;
};

/// Extracts summary, key findings and recommendations from the model's free text.
/// Tolerant of real LLM output: Markdown headings in any level/case, bold labels,
/// numbered or bulleted lists. Falls back to the first paragraph as summary.
[[nodiscard]] analysis parse_analysis(std::string_view text);

}  // namespace chimera::core
