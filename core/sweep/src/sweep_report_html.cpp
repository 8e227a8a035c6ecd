#include "chimera/core/sweep/sweep_report_html.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "chimera/core/stats/stat_format.hpp"
#include "chimera/core/sweep/sweep_findings.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/html_escape.hpp"
#include "chimera/core/text/svg_chart.hpp"

namespace chimera::core {
namespace {

using detail::chart_row;
using detail::chart_value;
using detail::concat;
using detail::format_fixed;
using detail::format_signed_pct;
using detail::html_escape;

using stat_of = std::function<const std::optional<descriptive_stats>&(const arm_summary&)>;

constexpr double significance_level = 0.05;
constexpr std::string_view dash = "—";

[[nodiscard]] std::string fixed2(const std::optional<double>& value) {
    return value ? format_fixed(*value, 2) : std::string(dash);
}

[[nodiscard]] std::string signed_pct(const std::optional<double>& value) {
    return value ? format_signed_pct(*value) : std::string(dash);
}

[[nodiscard]] std::string p_text(const baseline_comparison& vs) {
    return vs.welch ? detail::format_p(vs.welch->p_two_sided) : std::string(dash);
}

[[nodiscard]] bool significant(const baseline_comparison& vs) {
    return vs.welch && vs.welch->p_two_sided < significance_level;
}

/// A table: caption, header cells, rows of cells already escaped; numeric columns right-aligned.
struct html_table {
    std::string caption;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

[[nodiscard]] std::string render_table(const html_table& table) {
    std::string out = concat("<table><caption>", html_escape(table.caption), "</caption><thead><tr>");
    for (const auto& cell : table.header) out += concat("<th scope=\"col\">", html_escape(cell), "</th>");
    out += "</tr></thead><tbody>";
    for (const auto& row : table.rows) {
        out += "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i) {
            out += i == 0 ? concat("<th scope=\"row\">", row[i], "</th>") : concat("<td>", row[i], "</td>");
        }
        out += "</tr>";
    }
    return out + "</tbody></table>";
}

[[nodiscard]] std::string figure(const detail::horizontal_chart& chart,
                                 std::string_view caption,
                                 const html_table& table) {
    return concat("<figure>", detail::render_svg_chart(chart), "<figcaption>", html_escape(caption),
                  "</figcaption></figure>", render_table(table));
}

[[nodiscard]] std::string section(std::string_view id, std::string_view heading, std::string_view body) {
    return concat("<section aria-labelledby=\"", id, "-heading\"><h2 id=\"", id, "-heading\">", html_escape(heading),
                  "</h2>", body, "</section>");
}

/// A baseline's label, with the backend it ran on when the sweep named one: in an engine-vs-engine
/// sweep the configs' labels lead with their backend, and the baseline's must say its own.
[[nodiscard]] std::string baseline_name(const arm_summary& baseline) {
    return baseline.backend ? concat(baseline.label, " (on ", *baseline.backend, ")") : baseline.label;
}

[[nodiscard]] std::string config_name(const config_result& config) {
    return concat(config.summary.label, config.in_grid ? "" : " (not in grid)");
}

/// One chart row per config (given by its index), in `order`, as `pick` makes it.
[[nodiscard]] std::vector<chart_row> rows_of(const sweep_result& result,
                                             const std::vector<std::size_t>& order,
                                             const std::function<chart_row(std::size_t)>& pick) {
    std::vector<chart_row> rows;
    for (const std::size_t i : order) {
        auto row = pick(i);
        row.key = result.configs[i].summary.label;
        rows.push_back(std::move(row));
    }
    return rows;
}

[[nodiscard]] std::vector<std::size_t> grid_order(const sweep_result& result) {
    std::vector<std::size_t> order(result.configs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    return order;
}

/// The ranked configs first, best first, then those outside the ranking (no data, not in grid).
[[nodiscard]] std::vector<std::size_t> ranked_order(const sweep_result& result) {
    auto order = result.ranking;
    for (std::size_t i = 0; i < result.configs.size(); ++i) {
        if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
    }
    return order;
}

/// A value with its min–max whisker, or n/a.
[[nodiscard]] chart_value spread_value(const std::optional<descriptive_stats>& stats,
                                       std::string_view label,
                                       std::string_view unit,
                                       std::string_view counted) {
    chart_value value;
    value.highlighted = true;
    if (!stats) {
        value.hover = concat(label, ": no data");
        return value;
    }
    value.value = stats->mean;
    value.low = stats->min;
    value.high = stats->max;
    value.hover =
        concat(label, ": mean ", format_fixed(stats->mean, 2), " ", unit, " (min ", format_fixed(stats->min, 2),
               ", max ", format_fixed(stats->max, 2), ", ", std::to_string(stats->count), " ", counted, ")");
    return value;
}

/// The baseline across the chart when there is one, else each config's own as a tick on its row
/// (the rows in config order).
void add_baselines(detail::horizontal_chart& chart,
                   const sweep_result& result,
                   std::string_view unit,
                   const stat_of& stat) {
    if (result.baselines.size() == 1) {
        if (const auto& baseline = stat(result.baselines.front())) {
            chart.reference =
                detail::chart_reference{baseline->mean, baseline->min, baseline->max,
                                        concat(baseline_name(result.baselines.front()), " mean ",
                                               format_fixed(baseline->mean, 2), " ", unit, " (band: min–max)")};
        }
        return;
    }
    chart.row_reference_label = "the config's own baseline (mean)";
    for (std::size_t r = 0; r < chart.rows.size(); ++r) {
        const auto& config = result.configs[r];
        const auto& baseline = result.baselines[config.baseline];
        if (const auto& values = stat(baseline)) {
            chart.rows[r].reference = values->mean;
            chart.rows[r].reference_hover =
                concat(baseline_name(baseline), ": mean ", format_fixed(values->mean, 2), " ", unit);
        }
    }
}

[[nodiscard]] std::string stat_cells_text(const std::optional<descriptive_stats>& stats) {
    return stats ? format_fixed(stats->mean, 2) : std::string(dash);
}

[[nodiscard]] std::vector<std::string> spread_cells(std::string label, const std::optional<descriptive_stats>& stats) {
    const auto sd = stats && stats->stddev ? format_fixed(*stats->stddev, 2) : std::string(dash);
    const auto min = stats ? format_fixed(stats->min, 2) : std::string(dash);
    const auto max = stats ? format_fixed(stats->max, 2) : std::string(dash);
    return {html_escape(label), std::to_string(stats ? stats->count : 0), stat_cells_text(stats), sd, min, max};
}

/// A row per config with its baseline's mean beside it; a single baseline also gets a row of its own.
[[nodiscard]] html_table spread_table(const sweep_result& result,
                                      std::string caption,
                                      std::string_view unit,
                                      std::string_view counted,
                                      const stat_of& stat) {
    html_table table{std::move(caption),
                     {"Config", std::string(counted), concat("Mean (", unit, ")"), "SD", "Min", "Max",
                      concat("Baseline mean (", unit, ")")},
                     {}};
    if (result.baselines.size() == 1) {
        const auto& baseline = result.baselines.front();
        auto cells = spread_cells(baseline_name(baseline), stat(baseline));
        cells.emplace_back(dash);
        table.rows.push_back(std::move(cells));
    }
    for (const auto& config : result.configs) {
        auto cells = spread_cells(config_name(config), stat(config.summary));
        cells.push_back(stat_cells_text(stat(result.baselines[config.baseline])));
        table.rows.push_back(std::move(cells));
    }
    return table;
}

struct spread_chart {
    std::string id;
    std::string title;
    std::string axis_label;
    std::string unit;
    std::string counted;  ///< "runs" or "calls"
    stat_of stat;
};

[[nodiscard]] std::string spread_figure(const sweep_result& result, const spread_chart& spec) {
    detail::horizontal_chart chart;
    chart.id = spec.id;
    chart.title = spec.title;
    chart.description = concat("One dot per configuration at its mean, whiskers from min to max over its ",
                               spec.counted, "; the baseline is drawn across (dashed line, shaded min–max band) or, ",
                               "when each config had its own, as a tick on its row. The table below has the values.");
    chart.axis_label = spec.axis_label;
    chart.series = {spec.unit};
    chart.rows = rows_of(result, grid_order(result), [&result, &spec](std::size_t index) {
        const auto& config = result.configs[index];
        chart_row row;
        row.label = config_name(config);
        row.values = {spread_value(spec.stat(config.summary), config.summary.label, spec.unit, spec.counted)};
        return row;
    });
    add_baselines(chart, result, spec.unit, spec.stat);
    const auto caption = concat(spec.title, ": mean per configuration, whiskers min–max over ", spec.counted, ".");
    return figure(chart, caption,
                  spread_table(result, concat(spec.title, " (values)"), spec.unit, spec.counted, spec.stat));
}

[[nodiscard]] std::string throughput_section(const sweep_result& result) {
    return section("throughput", "Throughput",
                   spread_figure(result, {"chart-throughput", "Throughput per configuration", "Throughput (tok/s)",
                                          "tok/s", "runs", [](const arm_summary& arm) -> const auto& {
                                              return arm.tok_s;
}
}  // namespace
));
}  // namespace chimera::core

[[nodiscard]] bool any_of_arms(const sweep_result& result, const stat_of& stat) {
    const auto has = [&stat](const arm_summary& arm) { return stat(arm).has_value(); };
    return std::any_of(result.baselines.begin(), result.baselines.end(), has) ||
           std::any_of(result.configs.begin(), result.configs.end(),
                       [&has](const config_result& config) { return has(config.summary); });
}

[[nodiscard]] std::string ttft_section(const sweep_result& result) {
    const stat_of cold = [](const arm_summary& arm) -> const auto& { return arm.cold_ttft_ms; };
    const stat_of warm = [](const arm_summary& arm) -> const auto& { return arm.warm_ttft_ms; };
    const stat_of all = [](const arm_summary& arm) -> const auto& { return arm.ttft_ms; };
    std::string body;
    const bool has_cold = any_of_arms(result, cold);
    const bool has_warm = any_of_arms(result, warm);
    if (has_cold || has_warm) {
        body += concat("<p>A call is cold when its load_duration is at least ", format_fixed(cold_load_threshold_ms, 0),
                       " ms: it loaded the model, and its TTFT is mostly load time. Cold and warm calls are "
                       "charted apart, each on its own scale.</p>");
    } else {
        body +=
            "<p>No call recorded a load_duration: cold and warm starts cannot be told apart, so the chart "
            "has all calls.</p>";
    }
    if (has_cold) {
        body += spread_figure(
            result, {"chart-ttft-cold", "TTFT of cold calls", "TTFT of cold calls (ms)", "ms", "calls", cold});
    }
    if (has_warm) {
        body += spread_figure(
            result, {"chart-ttft-warm", "TTFT of warm calls", "TTFT of warm calls (ms)", "ms", "calls", warm});
    }
    if (!has_cold && !has_warm) {
        body += spread_figure(result, {"chart-ttft", "TTFT, all calls", "TTFT (ms)", "ms", "calls", all});
    }
    return section("ttft", "Time to first token", body);
}

[[nodiscard]] chart_value delta_value(const config_result& config) {
    const auto& vs = config.vs_baseline;
    chart_value value;
    value.value = vs.tok_s_delta_pct;
    value.highlighted = significant(vs);
    if (!vs.tok_s_delta_pct) {
        value.hover = concat(config.summary.label, ": no Δ (no data for it or its baseline)");
        return value;
    }
    value.hover = concat(config.summary.label, ": Δ tok/s ", format_signed_pct(*vs.tok_s_delta_pct),
                         " vs baseline, p = ", p_text(vs), ", d = ", fixed2(vs.cohens_d),
                         value.highlighted ? " (significant at p < 0.05)" : " (not significant)");
    return value;
}

[[nodiscard]] std::string rank_of(const sweep_result& result, std::size_t index) {
    const auto at = std::find(result.ranking.begin(), result.ranking.end(), index);
    return at == result.ranking.end() ? std::string(dash) : std::to_string(at - result.ranking.begin() + 1);
}

[[nodiscard]] html_table delta_table(const sweep_result& result, const std::vector<std::size_t>& order) {
    html_table table{
        "Δ against the baseline, in ranking order (values)",
        {"Config", "Rank", "Mean tok/s", "Δ tok/s", "Δ TTFT", "p (Welch)", "Cohen's d", "p < 0.05", "Beats baseline"},
        {}};
    for (const std::size_t i : order) {
        const auto& config = result.configs[i];
        const auto& vs = config.vs_baseline;
        table.rows.push_back(
            {html_escape(config_name(config)), rank_of(result, i), stat_cells_text(config.summary.tok_s),
             signed_pct(vs.tok_s_delta_pct), signed_pct(vs.ttft_delta_pct), p_text(vs), fixed2(vs.cohens_d),
             vs.welch ? (significant(vs) ? "yes" : "no") : std::string(dash), vs.beats_baseline ? "yes" : "no"});
    }
    return table;
}

[[nodiscard]] std::string delta_section(const sweep_result& result) {
    const auto order = ranked_order(result);
    detail::horizontal_chart chart;
    chart.id = "chart-delta";
    chart.title = "Δ throughput against the baseline, in ranking order";
    chart.description =
        "One bar per configuration from 0 to its relative change in mean throughput against its baseline, best "
        "ranked first. Filled bars differ from the baseline at p < 0.05 (Welch's t-test); hollow bars do not, or "
        "could not be tested. Hover a bar for p and Cohen's d.";
    chart.axis_label = "Δ throughput vs baseline (%)";
    chart.mark = detail::chart_mark::bar;
    chart.series = {"Δ tok/s"};
    chart.rows = rows_of(result, order, [&result](std::size_t index) {
        const auto& config = result.configs[index];
        chart_row row;
        const auto rank = rank_of(result, index);
        row.label = concat(rank == dash ? "" : concat(rank, ". "), config_name(config));
        row.values = {delta_value(config)};
        return row;
    });
    const auto caption =
        "Δ tok/s = (config − baseline) / baseline × 100. Filled: significant at p < 0.05; hollow: not significant "
        "or not testable.";
    return section("delta", "Against the baseline, and the ranking",
                   figure(chart, caption, delta_table(result, order)));
}

[[nodiscard]] std::string status_banner(const sweep_result& result, const html_report_options& options) {
    if (options.still_running) {
        return concat("<p class=\"status\" role=\"status\"><strong>Still running:</strong> ",
                      std::to_string(options.still_running->finished), " of ",
                      std::to_string(options.still_running->total),
                      " runs have finished. The figures below cover those runs only; reload this page for more.</p>");
    }
    if (result.cancelled) {
        return "<p class=\"status\" role=\"status\"><strong>Cancelled:</strong> the figures below cover only the runs "
               "that finished before the sweep was stopped.</p>";
    }
    return "";
}

[[nodiscard]] std::string findings(const sweep_result& result) {
    std::string out = "<ul>";
    for (const auto& finding : summarize_findings(result)) out += concat("<li>", html_escape(finding), "</li>");
    return out + "</ul>";
}

constexpr std::string_view page_css = R"(body { margin: 0 auto; max-width: 960px; padding: 1rem 1.25rem 3rem;
  font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--grid); }
.status { border-left: 4px solid var(--c1); padding: 0.5rem 0.75rem; background: var(--band); }
figure { margin: 1rem 0 0.5rem; } figcaption { color: var(--muted); font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--grid); }
td { text-align: right; } th[scope=row] { text-align: left; font-weight: normal; }
dt { font-weight: 600; } footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; }
)";

constexpr std::string_view definitions = R"(<section aria-labelledby="definitions-heading">
<h2 id="definitions-heading">Definitions</h2><dl>
<dt>Throughput</dt><dd>eval tokens / eval time of a run (tok/s), summarised over runs.</dd>
<dt>TTFT</dt><dd>time to first token of a call, summarised over calls.</dd>
<dt>Δ</dt><dd>(config − baseline) / baseline × 100, for TTFT too (negative = faster first token).</dd>
<dt>p, d</dt><dd>Welch's two-sided t-test on per-run throughput; Cohen's d with the pooled sample sd.</dd>
<dt>Ranking</dt><dd>configurations of the grid with data, highest mean throughput first.</dd>
</dl></section>)";

}  // namespace

std::string render_sweep_html(const sweep_result& result, const html_report_options& options) {
    const auto title = concat("Sweep report: ", result.model);
    std::string out = concat("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                             "<meta name=\"color-scheme\" content=\"light dark\"><title>", html_escape(title),
                             "</title><style>", detail::svg_chart_css(), page_css, "</style></head><body><main>");
    out += concat("<h1>", html_escape(title), "</h1>", status_banner(result, options));
    out += section("findings", "Findings", findings(result));
    out += throughput_section(result);
    out += ttft_section(result);
    out += delta_section(result);
    out += definitions;
    out +=
        "<footer>Generated by Chimera from the sweep's runs. One self-contained file: no scripts, no "
        "network.</footer></main></body></html>\n";
    return out;
}

}  // namespace chimera::core
