#include <algorithm>

#include <nlohmann/json.hpp>

#include "chimera/core/stats/stat_format.hpp"
#include "chimera/core/sweep/sweep_findings.hpp"
#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/terminal_text.hpp"
#include "chimera/core/text/text.hpp"

namespace chimera::core {
namespace {

using detail::concat;
using detail::format_fixed;
using detail::format_mean_sd;
using detail::format_signed_pct;

constexpr std::string_view dash = "—";

/// Table cells can't hold a line break or an unescaped pipe.
[[nodiscard]] std::string cell(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else {
            out += (c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    return out;
}

[[nodiscard]] std::string fixed2(const std::optional<double>& value) {
    return value ? format_fixed(*value, 2) : std::string(dash);
}

[[nodiscard]] std::string signed_pct(const std::optional<double>& value) {
    return value ? format_signed_pct(*value) : std::string(dash);
}

[[nodiscard]] std::string mean_sd(const std::optional<descriptive_stats>& stats) {
    return stats ? format_mean_sd(*stats) : std::string(dash);
}

/// Defaults are Ollama's unless the arm names a backend, which may be another engine.
[[nodiscard]] std::string describe_options(const run_options& options, bool on_named_backend) {
    const auto json = to_json(options);
    if (json.empty()) return on_named_backend ? "the backend's defaults" : "Ollama defaults";
    std::string out;
    for (const auto& [name, value] : json.items()) {
        if (!out.empty()) out += ", ";
        out += concat(name, "=", value.dump());
    }
    return out;
}

/// | Config | Runs | tok/s | CV | TTFT | Tokens | — shared by baselines and configs.
[[nodiscard]] std::string arm_cells(const arm_summary& arm, std::string_view label) {
    const auto cv = arm.tok_s && arm.tok_s->cv_percent ? format_fixed(*arm.tok_s->cv_percent, 2) : std::string(dash);
    const auto tokens = arm.tokens_mean ? format_fixed(*arm.tokens_mean, 0) : std::string(dash);
    return concat("| ", label, " | ", std::to_string(arm.runs), " | ", mean_sd(arm.tok_s), " | ", cv, " | ",
                  mean_sd(arm.ttft_ms), " | ", tokens, " |");
}

constexpr std::string_view arm_header = "| Config | Runs | Throughput (tok/s) | CV (%) | TTFT (ms) | Tokens |";
constexpr std::string_view arm_rule = "|---|---:|---:|---:|---:|---:|";

void append_baselines(std::string& out, const sweep_result& result) {
    out += "\n## Baseline\n\n";
    if (result.baselines.size() == 1) {
        const auto& baseline = result.baselines[0];
        out += concat("Options: ", describe_options(baseline.options, baseline.backend.has_value()), ".");
        if (baseline.backend) out += concat(" Backend: ", cell(*baseline.backend), ".");
        out += "\n\n";
    }
    out += concat(arm_header, "\n", arm_rule, "\n");
    for (const auto& baseline : result.baselines) out += concat(arm_cells(baseline, cell(baseline.label)), "\n");
}

[[nodiscard]] std::string config_label(const config_result& config) {
    return concat(cell(config.summary.label), config.in_grid ? "" : " (not in grid)");
}

[[nodiscard]] std::string comparison_cells(const baseline_comparison& vs) {
    const auto p = vs.welch ? detail::format_p(vs.welch->p_two_sided) : std::string(dash);
    return concat(" ", signed_pct(vs.tok_s_delta_pct), " | ", signed_pct(vs.ttft_delta_pct), " | ", p, " | ",
                  fixed2(vs.cohens_d), " |\n");
}

void append_configs(std::string& out, const sweep_result& result) {
    // A recorded study measured a baseline next to each config: name it in the row.
    const bool paired = result.baselines.size() > 1;
    out += "\n## Per-configuration results\n\n";
    out += concat(arm_header, paired ? " Baseline |" : "", " Δ tok/s | Δ TTFT | p | d |\n");
    out += concat(arm_rule, paired ? "---|" : "", "---:|---:|---:|---:|\n");
    for (const auto& config : result.configs) {
        out += arm_cells(config.summary, config_label(config));
        if (paired) out += concat(" ", cell(result.baselines[config.baseline].label), " |");
        out += comparison_cells(config.vs_baseline);
    }
}

void append_ranking(std::string& out, const sweep_result& result) {
    out += "\n## Ranking\n\n| Rank | Config | Throughput (tok/s) | Δ tok/s | Beats baseline |\n";
    out += "|---:|---|---:|---:|---|\n";
    for (std::size_t rank = 0; rank < result.ranking.size(); ++rank) {
        const auto& config = result.configs[result.ranking[rank]];
        const auto tok_s = format_fixed(config.summary.tok_s->mean, 2);
        out +=
            concat("| ", std::to_string(rank + 1), " | ", cell(config.summary.label), " | ",
                   rank == 0 ? concat("**", tok_s, "**") : tok_s, " | ", signed_pct(config.vs_baseline.tok_s_delta_pct),
                   " | ", config.vs_baseline.beats_baseline ? "yes" : "no", " |\n");
    }
}

[[nodiscard]] std::string named_config(const sweep_result& result, std::size_t index) {
    const auto& config = result.configs[index];
    return concat(cell(config.summary.label), " (", format_fixed(config.summary.tok_s->mean, 2), " tok/s)");
}

[[nodiscard]] std::string metric_row(std::string_view name, std::string_view value) {
    return concat("| ", name, " | ", value, " |\n");
}

void append_across(std::string& out, const sweep_result& result) {
    const auto& across = result.across;
    if (across.configs == 0) return;
    const auto& spread = *across.config_tok_s;
    out += "\n## Across configurations\n\n| Metric | Value |\n|---|---|\n";
    out += metric_row("Configurations", std::to_string(across.configs));
    out += metric_row("Beat their baseline", concat(std::to_string(across.beating_baseline), " (",
                                                    format_fixed(*across.success_rate_pct, 1), "%)"));
    out += metric_row("Mean Δ tok/s", signed_pct(across.tok_s_delta_pct_mean));
    out += metric_row("Best Δ tok/s", signed_pct(across.tok_s_delta_pct_max));
    out += metric_row("Mean Δ TTFT", signed_pct(across.ttft_delta_pct_mean));
    out += metric_row("Best config", named_config(result, *across.best));
    out += metric_row("Worst config", named_config(result, *across.worst));
    out += metric_row("Config mean tok/s", format_mean_sd(spread));
    out += metric_row("Cross-config CV (%)", fixed2(spread.cv_percent));
    out += metric_row("Q1 / median / Q3", concat(format_fixed(spread.q1, 2), " / ", format_fixed(spread.median, 2),
                                                 " / ", format_fixed(spread.q3, 2)));
    out += metric_row("Range", concat(format_fixed(spread.min, 2), " – ", format_fixed(spread.max, 2)));
}

[[nodiscard]] std::string start_cells(const std::optional<descriptive_stats>& ttft) {
    return concat(std::to_string(ttft ? ttft->count : 0), " | ", mean_sd(ttft));
}

void append_cold_warm_row(std::string& out, const arm_summary& arm, const baseline_comparison* vs) {
    const auto cold_delta = vs ? signed_pct(vs->cold_ttft_delta_pct) : std::string(dash);
    const auto warm_delta = vs ? signed_pct(vs->warm_ttft_delta_pct) : std::string(dash);
    out += concat("| ", cell(arm.label), " | ", start_cells(arm.cold_ttft_ms), " | ", start_cells(arm.warm_ttft_ms),
                  " | ", cold_delta, " | ", warm_delta, " |\n");
}

[[nodiscard]] bool any_start_known(const sweep_result& result) {
    const auto known = [](const arm_summary& arm) { return arm.cold_ttft_ms || arm.warm_ttft_ms; };
    return std::any_of(result.baselines.begin(), result.baselines.end(), known) ||
           std::any_of(result.configs.begin(), result.configs.end(),
                       [&known](const config_result& config) { return known(config.summary); });
}

void append_cold_warm(std::string& out, const sweep_result& result) {
    if (!any_start_known(result)) {
        out +=
            "\n## Cold and warm TTFT\n\nNo call recorded a load_duration: cold and warm starts cannot be told "
            "apart.\n";
        return;
    }
    out += concat("\n## Cold and warm TTFT\n\nA call is cold when its load_duration is at least ",
                  detail::format_number(cold_load_threshold_ms),
                  " ms (it loaded the model); calls without a recorded load_duration are in neither column.\n\n");
    out += "| Config | Cold calls | Cold TTFT (ms) | Warm calls | Warm TTFT (ms) | Δ cold TTFT | Δ warm TTFT |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& baseline : result.baselines) append_cold_warm_row(out, baseline, nullptr);
    for (const auto& config : result.configs) append_cold_warm_row(out, config.summary, &config.vs_baseline);
}

constexpr std::string_view definitions = R"(
## Definitions

- Throughput: eval tokens / eval time of a run (tok/s), mean ± sample sd over runs; CV = sd / mean.
- TTFT: per call, mean ± sample sd over all calls of the arm.
- Δ: (config − baseline) / baseline × 100, for TTFT too (negative = faster first token).
- p: Welch's two-sided t-test on per-run throughput; d: Cohen's d with the pooled sample sd.
- Quartiles: linear interpolation between order statistics (Hyndman–Fan type 7).
- Success rate: share of configurations whose mean throughput beats their baseline's.
)";

}  // namespace

std::string render_sweep_markdown(const sweep_result& result) {
    std::string out = concat("# Sweep report: ", cell(result.model), "\n\n## Findings\n\n");
    for (const auto& finding : summarize_findings(result)) out += concat("- ", finding, "\n");
    append_baselines(out, result);
    append_configs(out, result);
    append_ranking(out, result);
    append_across(out, result);
    append_cold_warm(out, result);
    out += definitions;
    return detail::terminal_text(out);  // config names and labels come from clients
}

}  // namespace chimera::core
