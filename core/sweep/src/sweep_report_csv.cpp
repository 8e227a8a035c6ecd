#include <array>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/text/text.hpp"

namespace chimera::core {
namespace {

using detail::format_number;

/// The column order is part of the contract (proto-free-api/README.md): append, never reorder.
constexpr std::array columns{
    "role",
    "config",
    "baseline",
    "in_grid",
    "rank",
    "runs",
    "num_gpu",
    "num_ctx",
    "temperature",
    "top_p",
    "top_k",
    "repeat_penalty",
    "num_predict",
    "seed",
    "tok_s_mean",
    "tok_s_sd",
    "tok_s_cv_pct",
    "tok_s_median",
    "tok_s_min",
    "tok_s_max",
    "tok_s_q1",
    "tok_s_q3",
    "ttft_ms_mean",
    "ttft_ms_sd",
    "ttft_ms_median",
    "cold_calls",
    "cold_ttft_ms_mean",
    "cold_ttft_ms_sd",
    "warm_calls",
    "warm_ttft_ms_mean",
    "warm_ttft_ms_sd",
    "tokens_mean",
    "duration_ms_mean",
    "tok_s_delta_pct",
    "ttft_delta_pct",
    "cold_ttft_delta_pct",
    "warm_ttft_delta_pct",
    "welch_t",
    "welch_df",
    "p_value",
    "cohens_d",
    "beats_baseline",
    "backend",
};

constexpr std::array option_columns{"num_gpu", "num_ctx",        "temperature", "top_p",
                                    "top_k",   "repeat_penalty", "num_predict", "seed"};

/// RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes.
[[nodiscard]] std::string field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

[[nodiscard]] std::string number(const std::optional<double>& value) { return value ? format_number(*value) : ""; }

using row = std::vector<std::string>;

void add_options(row& cells, const run_options& options) {
    const auto json = to_json(options);
    for (const auto* name : option_columns) cells.push_back(json.contains(name) ? json[name].dump() : "");
}

void add_stats(row& cells, const std::optional<descriptive_stats>& stats, bool full) {
    const auto get = [&stats](auto member) { return stats ? std::optional<double>{(*stats).*member} : std::nullopt; };
    cells.push_back(number(get(&descriptive_stats::mean)));
    cells.push_back(stats ? number(stats->stddev) : "");
    if (!full) return;
    cells.push_back(stats ? number(stats->cv_percent) : "");
    for (const auto member : {&descriptive_stats::median, &descriptive_stats::min, &descriptive_stats::max,
                              &descriptive_stats::q1, &descriptive_stats::q3}) {
        cells.push_back(number(get(member)));
    }
}

void add_start_kind(row& cells, const std::optional<descriptive_stats>& stats) {
    cells.push_back(std::to_string(stats ? stats->count : 0));
    add_stats(cells, stats, false);
}

/// What identifies a row: role, config, baseline, in_grid, rank.
struct row_key {
    std::string_view role;
    std::string_view baseline;
    std::string in_grid;
    std::string rank;
};

[[nodiscard]] row arm_row(const arm_summary& arm, const row_key& key) {
    row cells{std::string(key.role), field(arm.label), field(key.baseline), key.in_grid, key.rank};
    cells.push_back(std::to_string(arm.runs));
    add_options(cells, arm.options);
    add_stats(cells, arm.tok_s, true);
    cells.push_back(arm.ttft_ms ? format_number(arm.ttft_ms->mean) : "");
    cells.push_back(arm.ttft_ms ? number(arm.ttft_ms->stddev) : "");
    cells.push_back(arm.ttft_ms ? format_number(arm.ttft_ms->median) : "");
    add_start_kind(cells, arm.cold_ttft_ms);
    add_start_kind(cells, arm.warm_ttft_ms);
    cells.push_back(number(arm.tokens_mean));
    cells.push_back(number(arm.duration_ms_mean));
    return cells;
}

void add_comparison(row& cells, const baseline_comparison& vs) {
    for (const auto& delta : {vs.tok_s_delta_pct, vs.ttft_delta_pct, vs.cold_ttft_delta_pct, vs.warm_ttft_delta_pct}) {
        cells.push_back(number(delta));
    }
    cells.push_back(vs.welch ? format_number(vs.welch->t) : "");
    cells.push_back(vs.welch ? format_number(vs.welch->degrees_of_freedom) : "");
    cells.push_back(vs.welch ? format_number(vs.welch->p_two_sided) : "");
    cells.push_back(number(vs.cohens_d));
    cells.push_back(vs.beats_baseline ? "true" : "false");
}

[[nodiscard]] std::string join(const row& cells) {
    std::string line;
    for (const auto& cell : cells) line += (line.empty() ? "" : ",") + cell;
    return line + "\n";
}

[[nodiscard]] std::vector<std::string> ranks(const sweep_result& result) {
    std::vector<std::string> out(result.configs.size());
    for (std::size_t rank = 0; rank < result.ranking.size(); ++rank)
        out[result.ranking[rank]] = std::to_string(rank + 1);
    return out;
}

}  // namespace

std::string render_sweep_csv(const sweep_result& result) {
    std::string out = join(row(columns.begin(), columns.end()));
    const row no_comparison(9, "");  // the baseline is not compared with itself
    for (const auto& baseline : result.baselines) {
        auto cells = arm_row(baseline, {"baseline", "", "", ""});
        cells.insert(cells.end(), no_comparison.begin(), no_comparison.end());
        cells.push_back(field(baseline.backend.value_or("")));
        out += join(cells);
    }
    const auto rank_of = ranks(result);
    for (std::size_t i = 0; i < result.configs.size(); ++i) {
        const auto& config = result.configs[i];
        const row_key key{"config", result.baselines[config.baseline].label, config.in_grid ? "true" : "false",
                          rank_of[i]};
        auto cells = arm_row(config.summary, key);
        add_comparison(cells, config.vs_baseline);
        cells.push_back(field(config.summary.backend.value_or("")));
        out += join(cells);
    }
    return out;
}

}  // namespace chimera::core
