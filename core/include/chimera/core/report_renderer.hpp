#pragma once

#include <string>
#include <string_view>

#include "chimera/core/run_document.hpp"

namespace chimera::core {

/// The technical report of a finished run, in Markdown: run facts, ingest summary,
/// per-call metrics table, parsed analysis, then the model's report text.
[[nodiscard]] std::string render_report(const run_document& run, std::string_view report_text);

}  // namespace chimera::core
