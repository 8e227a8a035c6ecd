#include "chimera/core/sweep/sweep_analysis.hpp"

#include <algorithm>
#include <stdexcept>

#include "chimera/core/stats/effect_size.hpp"

namespace chimera::core {
namespace {

[[nodiscard]] std::vector<double> throughputs(const observed_arm& arm) {
    std::vector<double> values;
    for (const auto& run : arm.runs) values.push_back(run.tokens_per_second);
    return values;
}

/// TTFTs of the calls whose start kind passes `keep`.
template <typename Keep>
[[nodiscard]] std::optional<descriptive_stats> ttft_stats(const observed_arm& arm, Keep keep) {
    std::vector<double> values;
    for (const auto& run : arm.runs) {
        for (const auto& call : run.calls) {
            if (keep(classify_start(call))) values.push_back(call.ttft_ms);
        }
    }
    return describe(values);
}

template <typename Field>
[[nodiscard]] std::optional<double> run_mean(const observed_arm& arm, Field field) {
    std::vector<double> values;
    for (const auto& run : arm.runs) values.push_back(static_cast<double>(run.*field));
    return values.empty() ? std::nullopt : std::optional{mean(values)};
}

[[nodiscard]] arm_summary summarize_arm(const observed_arm& arm) {
    arm_summary summary;
    summary.label = arm.label;
    summary.options = arm.options;
    summary.backend = arm.backend;
    summary.runs = arm.runs.size();
    summary.tok_s = describe(throughputs(arm));
    summary.ttft_ms = ttft_stats(arm, [](start_kind) { return true; });
    summary.warm_ttft_ms = ttft_stats(arm, [](start_kind kind) { return kind == start_kind::warm; });
    summary.cold_ttft_ms = ttft_stats(arm, [](start_kind kind) { return kind == start_kind::cold; });
    summary.tokens_mean = run_mean(arm, &run_observation::tokens_generated);
    summary.duration_ms_mean = run_mean(arm, &run_observation::duration_ms);
    return summary;
}

/// Relative change of the means, in percent; absent when either side has no data.
[[nodiscard]] std::optional<double> delta_pct(const std::optional<descriptive_stats>& baseline,
                                              const std::optional<descriptive_stats>& config) {
    if (!baseline || !config || baseline->mean == 0) return std::nullopt;
    return (config->mean - baseline->mean) / baseline->mean * 100;
}

[[nodiscard]] baseline_comparison compare(const observed_arm& config_arm,
                                          const arm_summary& config,
                                          const observed_arm& baseline_arm,
                                          const arm_summary& baseline) {
    baseline_comparison vs;
    vs.tok_s_delta_pct = delta_pct(baseline.tok_s, config.tok_s);
    vs.ttft_delta_pct = delta_pct(baseline.ttft_ms, config.ttft_ms);
    vs.warm_ttft_delta_pct = delta_pct(baseline.warm_ttft_ms, config.warm_ttft_ms);
    vs.cold_ttft_delta_pct = delta_pct(baseline.cold_ttft_ms, config.cold_ttft_ms);
    const auto config_values = throughputs(config_arm);
    const auto baseline_values = throughputs(baseline_arm);
    vs.welch = welch_t_test(config_values, baseline_values);
    vs.cohens_d = cohens_d(config_values, baseline_values);
    vs.beats_baseline = config.tok_s && baseline.tok_s && config.tok_s->mean > baseline.tok_s->mean;
    return vs;
}

/// Grid configs with throughput, best mean first; ties keep grid order.
[[nodiscard]] std::vector<std::size_t> rank_configs(const std::vector<config_result>& configs) {
    std::vector<std::size_t> ranking;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        if (configs[i].in_grid && configs[i].summary.tok_s) ranking.push_back(i);
    }
    std::stable_sort(ranking.begin(), ranking.end(), [&configs](std::size_t a, std::size_t b) {
        return configs[a].summary.tok_s->mean > configs[b].summary.tok_s->mean;
    });
    return ranking;
}

[[nodiscard]] std::optional<double> mean_of(const std::vector<double>& values) {
    return values.empty() ? std::nullopt : std::optional{mean(values)};
}

[[nodiscard]] cross_config_summary summarize_across(const sweep_result& result) {
    cross_config_summary across;
    std::vector<double> config_means, baseline_means, tok_s_deltas, ttft_deltas;
    for (const std::size_t i : result.ranking) {
        const auto& config = result.configs[i];
        config_means.push_back(config.summary.tok_s->mean);
        if (const auto& baseline_tok_s = result.baselines[config.baseline].tok_s) {
            baseline_means.push_back(baseline_tok_s->mean);
        }
        if (config.vs_baseline.tok_s_delta_pct) tok_s_deltas.push_back(*config.vs_baseline.tok_s_delta_pct);
        if (config.vs_baseline.ttft_delta_pct) ttft_deltas.push_back(*config.vs_baseline.ttft_delta_pct);
        if (config.vs_baseline.beats_baseline) ++across.beating_baseline;
    }
    across.configs = result.ranking.size();
    if (across.configs == 0) return across;
    across.success_rate_pct = static_cast<double>(across.beating_baseline) / static_cast<double>(across.configs) * 100;
    across.best = result.ranking.front();
    across.worst = result.ranking.back();
    across.config_tok_s = describe(config_means);
    across.baseline_tok_s_mean = mean_of(baseline_means);
    across.tok_s_delta_pct_mean = mean_of(tok_s_deltas);
    if (!tok_s_deltas.empty()) across.tok_s_delta_pct_max = *std::max_element(tok_s_deltas.begin(), tok_s_deltas.end());
    across.ttft_delta_pct_mean = mean_of(ttft_deltas);
    return across;
}

}  // namespace

sweep_result analyze_sweep(const sweep_observations& observations) {
    sweep_result result;
    result.model = observations.model;
    for (const auto& baseline : observations.baselines) result.baselines.push_back(summarize_arm(baseline));
    for (const auto& config : observations.configs) {
        if (config.baseline >= observations.baselines.size()) {
            throw std::invalid_argument("config '" + config.arm.label + "' names a baseline that does not exist");
        }
        config_result row{summarize_arm(config.arm), config.baseline, config.in_grid, {}};
        row.vs_baseline = compare(config.arm, row.summary, observations.baselines[config.baseline],
                                  result.baselines[config.baseline]);
        result.configs.push_back(std::move(row));
    }
    result.ranking = rank_configs(result.configs);
    result.across = summarize_across(result);
    return result;
}

}  // namespace chimera::core
