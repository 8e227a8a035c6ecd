#include "chimera/core/report_renderer.hpp"

#include "text.hpp"

namespace chimera::core {
namespace {

using detail::format_fixed2;

/// Table cells can't hold a line break or an unescaped pipe.
[[nodiscard]] std::string cell(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

[[nodiscard]] std::string option_text(std::int64_t value) { return std::to_string(value); }
[[nodiscard]] std::string option_text(double value) { return detail::format_number(value); }

[[nodiscard]] std::string describe_options(const run_options& options) {
    std::string out;
    const auto add = [&out](std::string_view name, const auto& value) {
        if (!value) return;
        if (!out.empty()) out += ", ";
        out += name;
        out += '=';
        out += option_text(*value);
    };
    add("num_gpu", options.num_gpu);
    add("num_ctx", options.num_ctx);
    add("temperature", options.temperature);
    add("top_p", options.top_p);
    add("top_k", options.top_k);
    add("repeat_penalty", options.repeat_penalty);
    add("num_predict", options.num_predict);
    add("seed", options.seed);
    return out.empty() ? "Ollama defaults" : out;
}

[[nodiscard]] std::string time_or_dash(const std::optional<wall_time>& time) {
    return time ? format_rfc3339(*time) : "—";
}

void append_facts(std::string& out, const run_document& run) {
    out += "| Field | Value |\n|---|---|\n";
    out += "| Run | " + cell(run.id) + " |\n";
    out += "| Model | " + cell(run.model) + " |\n";
    out += "| Options | " + describe_options(run.options) + " |\n";
    out += "| Label | " + (run.label ? cell(*run.label) : "—") + " |\n";
    out += "| Started | " + time_or_dash(run.started_at) + " |\n";
    out += "| Finished | " + time_or_dash(run.finished_at) + " |\n";
    out += "| Status | " + std::string(to_string(run.status)) + " |\n";
    if (run.error) out += "| Error | " + cell(run.error->type + ": " + run.error->detail) + " |\n";
}

void append_ingest(std::string& out, const std::optional<ingest_result>& ingest) {
    out += "\n## Data Ingestion\n\n";
    if (!ingest) {
        out += "No ingest recorded.\n";
        return;
    }
    out += "- Files: " + std::to_string(ingest->files) + " (" + std::to_string(ingest->csv_files) + " CSV, " +
           std::to_string(ingest->json_files) + " JSON, " + std::to_string(ingest->markdown_files) + " Markdown)\n";
    out += "- Bytes: " + std::to_string(ingest->bytes) + "\n";
    out += "- Scan time: " + format_fixed2(ingest->seconds * 1000) + " ms\n";
    out += "- Errors: " + std::to_string(ingest->errors.size()) + "\n";
    for (const auto& error : ingest->errors) out += "  - `" + error.file + "`: " + cell(error.error) + "\n";
}

void append_calls(std::string& out, const std::vector<call_metrics>& calls) {
    out += "\n## LLM Calls\n\n";
    out +=
        "| Stage | TTFT ms | tok/s | Tokens | Prompt tokens | Load ms | Prompt eval ms | Eval ms | Total ms |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& call : calls) {
        out += "| " + std::string(to_string(call.stage)) + " | " + format_fixed2(call.ttft_ms) + " | " +
               format_fixed2(call.tokens_per_second) + " | " + std::to_string(call.tokens_generated) + " | " +
               std::to_string(call.prompt_tokens) + " | " + format_fixed2(call.load_ms) + " | " +
               format_fixed2(call.prompt_eval_ms) + " | " + format_fixed2(call.eval_ms) + " | " +
               format_fixed2(call.total_ms) + " |\n";
    }
}

void append_timings(std::string& out, const stage_timings& timings) {
    out += "\n## Stage Timings\n\n| Stage | Seconds |\n|---|---:|\n";
    const auto row = [&out](std::string_view stage, const std::optional<double>& seconds) {
        out += "| " + std::string(stage) + " | " + (seconds ? format_fixed2(*seconds) : "—") + " |\n";
    };
    row("Ingest", timings.ingest_seconds);
    row("Analysis", timings.analysis_seconds);
    row("Report", timings.report_seconds);
    row("Total", timings.total_seconds);
}

void append_list(std::string& out, std::string_view title, const std::vector<std::string>& items) {
    out += "\n### ";
    out += title;
    out += "\n\n";
    if (items.empty()) out += "None reported.\n";
    for (const auto& item : items) out += "- " + item + "\n";
}

void append_analysis(std::string& out, const std::optional<analysis>& parsed) {
    out += "\n## Analysis\n";
    if (!parsed) {
        out += "\nNo analysis recorded.\n";
        return;
    }
    out += "\n### Summary\n\n" + (parsed->summary.empty() ? std::string("None reported.") : parsed->summary) + "\n";
    append_list(out, "Key Findings", parsed->key_findings);
    append_list(out, "Recommendations", parsed->recommendations);
}

}  // namespace

std::string render_report(const run_document& run, std::string_view report_text) {
    std::string out = "# Chimera Technical Report\n\n";
    append_facts(out, run);
    append_ingest(out, run.ingest);
    append_calls(out, run.calls);
    append_timings(out, run.timings);
    append_analysis(out, run.parsed_analysis);
    out += "\n## Report\n\n";
    out += report_text;
    if (!report_text.empty() && report_text.back() != '\n') out += '\n';
    return out;
}

}  // namespace chimera::core
