#include "chimera/core/run/report_renderer.hpp"

#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/markdown_cell.hpp"
#include "chimera/core/text/terminal_text.hpp"
#include "options_text.hpp"

namespace chimera::core {
namespace {

/// "Ollama 0.12.3 on backend default": what was measured, for a reader who compares reports.
std::string engine_text(const engine_identity& engine) {
    using detail::concat;
    const std::string_view kind = engine.kind == backend_kind::ollama ? "Ollama" : "OpenAI-compatible engine";
    const std::string version = engine.version ? concat(" ", detail::markdown_cell(*engine.version)) : std::string{};
    return concat(kind, version, " on backend ", detail::markdown_cell(engine.backend));
}

}  // namespace

std::string render_report(const run_document& run, std::string_view report_text) {
    using detail::concat;
    using detail::markdown_cell;
    // Two trailing spaces: a Markdown line break, so the header lines don't run together.
    std::string out = concat("# Chimera Technical Report\n\n**Date:** ",
                             format_rfc3339(run.finished_at.value_or(run.created_at)), "  \n");
    out += concat("**Run:** ", markdown_cell(run.id), "  \n");
    out += concat("**Model:** ", markdown_cell(run.model), "  \n");
    if (run.engine) out += concat("**Engine:** ", engine_text(*run.engine), "  \n");
    out += concat("**Options:** ", detail::describe_options(run.options), "  \n");
    if (run.label) out += concat("**Label:** ", markdown_cell(*run.label), "  \n");
    out += "\n---\n\n";
    out += report_text;
    if (!report_text.empty() && report_text.back() != '\n') out += '\n';
    // The model's text may hold control characters (an echoed file name, an escape sequence):
    // shown, never sent to the terminal that prints the report.
    return detail::terminal_text(out);
}

}  // namespace chimera::core
