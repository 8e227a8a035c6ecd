#include "chimera/core/llm/prompts.hpp"

#include <vector>

namespace chimera::core {
namespace {

[[nodiscard]] std::string numbered(const std::vector<std::string>& items) {
    if (items.empty()) return "None provided\n";
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += std::to_string(i + 1) + ". " + items[i] + "\n";
    return out;
}

}  // namespace

// The three headings are the contract with parse_analysis: asking for them verbatim is what
// makes the model's answer parseable, so don't reword them without updating the parser tests.
std::string build_analysis_prompt(const std::string& data_summary) {
    std::string prompt =
        "You are a performance analysis expert. Analyse the following LLM inference benchmark data "
        "(throughput in tokens per second, time to first token, latency) and provide insights.\n\n"
        "Benchmark Data Summary:\n";
    prompt += data_summary;
    prompt +=
        "\nAnswer in Markdown with exactly these three sections, in this order, and nothing else:\n\n"
        "## Summary\n"
        "One paragraph: what the data covers and the headline result.\n\n"
        "## Key Findings\n"
        "- One bullet per finding, citing the numbers from the data summary.\n\n"
        "## Recommendations\n"
        "- One bullet per concrete optimisation, most important first.\n\n"
        "Use only figures that appear in the data summary above; if the data is empty or unusable, say so.\n";
    return prompt;
}

std::string build_report_prompt(const analysis& parsed, const std::string& data_summary) {
    std::string prompt =
        "Generate a comprehensive technical report in the style of Technical Report 108.\n\n"
        "Analysis Results:\n- Summary: ";
    prompt += parsed.summary.empty() ? "None provided" : parsed.summary;
    prompt += "\n- Key Findings:\n" + numbered(parsed.key_findings);
    prompt += "- Recommendations:\n" + numbered(parsed.recommendations);
    prompt += "\nBenchmark Data Summary:\n";
    prompt += data_summary;
    prompt +=
        "\nCreate a professional Markdown technical report with the following structure:\n"
        "1. Executive Summary\n"
        "2. Data Ingestion Summary\n"
        "3. Performance Analysis\n"
        "4. Key Findings\n"
        "5. Recommendations\n"
        "6. Appendix\n\n"
        "Use Markdown headings and tables, and include specific metrics and data points from the data above.\n";
    return prompt;
}

}  // namespace chimera::core
