#include "chimera/core/run/agent_report_renderer.hpp"

#include "chimera/core/run/data_summary.hpp"
#include "chimera/core/run/run_aggregate.hpp"
#include "chimera/core/stats/stat_format.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/markdown_cell.hpp"
#include "chimera/core/text/terminal_text.hpp"
#include "chimera/core/text/text.hpp"
#include "options_text.hpp"

namespace chimera::core {
namespace {

using detail::concat;
using detail::format_fixed;
using detail::format_fixed2;
using detail::markdown_cell;

constexpr std::string_view dash = "—";

[[nodiscard]] std::string time_or_dash(const std::optional<wall_time>& time) {
    return time ? format_rfc3339(*time) : std::string(dash);
}

void append_header(std::string& out, const run_document& run) {
    // Two trailing spaces: a Markdown line break, so the header lines don't run together.
    out += concat("# Chimera Agent Report\n\n**Run:** ", markdown_cell(run.id), "  \n");
    out += concat("**Model:** ", markdown_cell(run.model), "  \n");
    out += concat("**Status:** ", to_string(run.status), "  \n");
    if (run.error)
        out +=
            concat("**Error:** ", markdown_cell(concat(to_string(run.error->type), ": ", run.error->detail)), "  \n");
    if (run.label) out += concat("**Label:** ", markdown_cell(*run.label), "  \n");
    out += concat("**Data directory:** ", markdown_cell(run.data_dir), "  \n");
    out += concat("**Started:** ", time_or_dash(run.started_at), "  \n");
    out += concat("**Finished:** ", time_or_dash(run.finished_at), "\n");
    out += concat("\n## Configuration\n\n", detail::describe_options(run.options), "\n");
}

[[nodiscard]] std::string percent(const std::optional<descriptive_stats>& stats) {
    return stats && stats->cv_percent ? concat(format_fixed(*stats->cv_percent, 1), "%") : std::string(dash);
}

void append_aggregate(std::string& out, const run_aggregate& total) {
    const auto row = [&out](std::string_view metric, std::string_view value) {
        out += concat("| ", metric, " | ", value, " |\n");
    };
    out += "\n## Aggregate Metrics\n\n| Metric | Value |\n|--------|-------|\n";
    row("Average Throughput",
        total.tokens_per_second ? concat(format_fixed2(*total.tokens_per_second), " tok/s") : std::string(dash));
    row("Average TTFT", total.ttft_ms ? concat(detail::format_mean_sd(*total.ttft_ms), " ms") : std::string(dash));
    row("Total Tokens Generated", std::to_string(total.tokens_generated));
    row("Total Prompt Tokens", std::to_string(total.prompt_tokens));
    row("Total Duration", concat(format_fixed2(total.total_ms), " ms"));
    row("Prompt Eval Duration", concat(format_fixed2(total.prompt_eval_ms), " ms"));
    row("Eval Duration", concat(format_fixed2(total.eval_ms), " ms"));
    row("Load Duration", concat(format_fixed2(total.load_ms), " ms"));
    row("Throughput CV (across calls)", percent(total.call_tokens_per_second));
    row("TTFT CV (across calls)", percent(total.ttft_ms));
    row("LLM Calls", concat(std::to_string(total.calls), " (", std::to_string(total.attempts), " attempts)"));
}

/// Why calls failed or were retried, under the table: one line per attempt that failed.
void append_call_errors(std::string& out, const std::vector<call_metrics>& calls) {
    std::string lines;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const auto& call = calls[i];
        for (std::size_t a = 0; a < call.attempt_errors.size(); ++a) {
            lines +=
                concat("- Call ", std::to_string(i + 1), ", attempt ", std::to_string(a + 1),
                       " (retried): ", detail::terminal_text(call.attempt_errors[a], detail::line_breaks::show), "\n");
        }
        if (!call.error.empty()) {
            lines += concat("- Call ", std::to_string(i + 1), ", attempt ", std::to_string(call.attempts),
                            " (failed the call): ", detail::terminal_text(call.error, detail::line_breaks::show), "\n");
        }
    }
    if (!lines.empty()) out += concat("\n", lines);
}

void append_calls(std::string& out, const std::vector<call_metrics>& calls) {
    out += "\n## Per-Call Metrics\n\n";
    if (calls.empty()) {
        out += "The run made no LLM call.\n";
        return;
    }
    out +=
        "| Call | Stage | TTFT (ms) | Throughput (tok/s) | Tokens | Prompt Tokens | Load (ms) | Prompt Eval (ms) "
        "| Eval (ms) | Duration (ms) | Attempts | Done |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const auto& call = calls[i];
        const auto ttft = call.first_token_arrived ? format_fixed2(call.ttft_ms) : std::string(dash);
        const auto done =
            completed(call) ? markdown_cell(call.done_reason) : concat("failed: ", to_string(call.outcome));
        out += concat("| ", std::to_string(i + 1), " | ", to_string(call.stage), " | ", ttft, " | ",
                      format_fixed2(call.tokens_per_second), " | ", std::to_string(call.tokens_generated), " | ",
                      std::to_string(call.prompt_tokens), " | ", format_fixed2(call.load_ms), " | ",
                      format_fixed2(call.prompt_eval_ms), " | ", format_fixed2(call.eval_ms), " | ",
                      format_fixed2(call.total_ms), " | ", std::to_string(call.attempts), " | ", done, " |\n");
    }
    append_call_errors(out, calls);
}

void append_timings(std::string& out, const stage_timings& timings) {
    out += "\n## Workflow Timings\n\n| Stage | Seconds |\n|-------|--------:|\n";
    const auto row = [&out](std::string_view stage, const std::optional<double>& seconds) {
        out += concat("| ", stage, " | ", seconds ? format_fixed(*seconds, 3) : std::string(dash), " |\n");
    };
    row("Ingest", timings.ingest_seconds);
    row("Analysis", timings.analysis_seconds);
    row("Report", timings.report_seconds);
    row("Total", timings.total_seconds);
}

void append_data_summary(std::string& out, const std::optional<ingest_result>& ingest) {
    out += "\n## Data Summary\n\n";
    // Every line of the summary starts with fixed text, so none can close the fence.
    out += ingest ? concat("```text\n", render_data_summary(*ingest), "```\n") : "No ingest recorded.\n";
}

void append_list(std::string& out, const std::vector<std::string>& items) {
    if (items.empty()) out += "None reported.\n";
    for (const auto& item : items) out += concat("- ", item, "\n");
}

void append_analysis(std::string& out, const std::optional<analysis>& parsed) {
    out += "\n## Findings\n\n";
    if (!parsed) {
        out += "No analysis recorded.\n\n## Recommendations\n\nNo analysis recorded.\n";
        return;
    }
    if (!parsed->summary.empty()) out += concat(parsed->summary, "\n\n");
    append_list(out, parsed->key_findings);
    out += "\n## Recommendations\n\n";
    append_list(out, parsed->recommendations);
}

}  // namespace

std::string render_agent_report(const run_document& run) {
    std::string out;
    append_header(out, run);
    append_aggregate(out, aggregate_calls(run.calls));
    append_calls(out, run.calls);
    append_timings(out, run.timings);
    append_data_summary(out, run.ingest);
    append_analysis(out, run.parsed_analysis);
    // File names, data and model output in it may hold control characters: shown, never sent.
    return detail::terminal_text(out);
}

}  // namespace chimera::core
