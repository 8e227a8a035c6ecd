#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_findings.hpp"
#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/text/optional_json.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

using detail::optional_json;

[[nodiscard]] json stats_json(const std::optional<descriptive_stats>& stats) {
    if (!stats) return nullptr;
    return {
        {"count", stats->count},
        {"mean", stats->mean},
        {"median", stats->median},
        {"min", stats->min},
        {"max", stats->max},
        {"q1", stats->q1},
        {"q3", stats->q3},
        {"sd", optional_json(stats->stddev)},
        {"cv_pct", optional_json(stats->cv_percent)},
    };
}

[[nodiscard]] json arm_json(const arm_summary& arm) {
    return {
        {"label", arm.label},
        {"options", to_json(arm.options)},
        {"backend", optional_json(arm.backend)},
        {"runs", arm.runs},
        {"tok_s", stats_json(arm.tok_s)},
        {"ttft_ms", stats_json(arm.ttft_ms)},
        {"cold_ttft_ms", stats_json(arm.cold_ttft_ms)},
        {"warm_ttft_ms", stats_json(arm.warm_ttft_ms)},
        {"tokens_mean", optional_json(arm.tokens_mean)},
        {"duration_ms_mean", optional_json(arm.duration_ms_mean)},
    };
}

[[nodiscard]] json welch_json(const std::optional<welch_result>& welch) {
    if (!welch) return nullptr;
    return {{"t", welch->t}, {"df", welch->degrees_of_freedom}, {"p_value", welch->p_two_sided}};
}

[[nodiscard]] json comparison_json(const baseline_comparison& vs) {
    return {
        {"tok_s_delta_pct", optional_json(vs.tok_s_delta_pct)},
        {"ttft_delta_pct", optional_json(vs.ttft_delta_pct)},
        {"cold_ttft_delta_pct", optional_json(vs.cold_ttft_delta_pct)},
        {"warm_ttft_delta_pct", optional_json(vs.warm_ttft_delta_pct)},
        {"welch", welch_json(vs.welch)},
        {"cohens_d", optional_json(vs.cohens_d)},
        {"beats_baseline", vs.beats_baseline},
    };
}

[[nodiscard]] json config_json(const sweep_result& result, const config_result& config) {
    auto out = arm_json(config.summary);
    out["baseline"] = result.baselines[config.baseline].label;
    out["in_grid"] = config.in_grid;
    out["vs_baseline"] = comparison_json(config.vs_baseline);
    return out;
}

[[nodiscard]] json label_of(const sweep_result& result, const std::optional<std::size_t>& index) {
    return index ? json(result.configs[*index].summary.label) : json(nullptr);
}

[[nodiscard]] json across_json(const sweep_result& result) {
    const auto& across = result.across;
    return {
        {"configs", across.configs},
        {"beating_baseline", across.beating_baseline},
        {"success_rate_pct", optional_json(across.success_rate_pct)},
        {"best", label_of(result, across.best)},
        {"worst", label_of(result, across.worst)},
        {"config_tok_s", stats_json(across.config_tok_s)},
        {"baseline_tok_s_mean", optional_json(across.baseline_tok_s_mean)},
        {"tok_s_delta_pct_mean", optional_json(across.tok_s_delta_pct_mean)},
        {"tok_s_delta_pct_max", optional_json(across.tok_s_delta_pct_max)},
        {"ttft_delta_pct_mean", optional_json(across.ttft_delta_pct_mean)},
    };
}

}  // namespace

nlohmann::json to_json(const sweep_result& result) {
    json baselines = json::array();
    for (const auto& baseline : result.baselines) baselines.push_back(arm_json(baseline));
    json configs = json::array();
    for (const auto& config : result.configs) configs.push_back(config_json(result, config));
    json ranking = json::array();
    for (const std::size_t i : result.ranking) ranking.push_back(result.configs[i].summary.label);
    return {
        {"model", result.model},
        {"baselines", std::move(baselines)},
        {"configs", std::move(configs)},
        {"ranking", std::move(ranking)},
        {"across_configs", across_json(result)},
        {"findings", summarize_findings(result)},
    };
}

}  // namespace chimera::core
