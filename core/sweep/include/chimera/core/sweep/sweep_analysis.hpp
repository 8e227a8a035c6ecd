#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "chimera/core/run/run_request.hpp"
#include "chimera/core/stats/descriptive_stats.hpp"
#include "chimera/core/stats/welch_t_test.hpp"
#include "chimera/core/sweep/sweep_observation.hpp"

namespace chimera::core {

/// The statistics of one arm (the baseline or a config). TTFT is summarised over calls, all
/// of them and split by start kind, since a cold call's TTFT is mostly model load time.
struct arm_summary {
    std::string label;
    run_options options;
    std::optional<std::string> backend;  ///< where its runs executed, when the sweep named a backend
    std::size_t runs = 0;
    std::optional<descriptive_stats> tok_s;  ///< over runs
    std::optional<descriptive_stats> ttft_ms;
    std::optional<descriptive_stats> warm_ttft_ms;
    std::optional<descriptive_stats> cold_ttft_ms;
    std::optional<double> tokens_mean;       ///< tokens generated per run
    std::optional<double> duration_ms_mean;  ///< backend time per run
};

/// A config against its baseline. Deltas are relative changes, (config − baseline) / baseline
/// × 100, for TTFT as for throughput: a negative TTFT delta means a faster first token.
/// The test and the effect size are on per-run throughput.
struct baseline_comparison {
    std::optional<double> tok_s_delta_pct;
    std::optional<double> ttft_delta_pct;
    std::optional<double> warm_ttft_delta_pct;
    std::optional<double> cold_ttft_delta_pct;
    std::optional<welch_result> welch;
    std::optional<double> cohens_d;  ///< config minus baseline, pooled sd
    bool beats_baseline = false;     ///< higher mean throughput than the baseline
};

struct config_result {
    arm_summary summary;
    std::size_t baseline = 0;  ///< index into sweep_result::baselines
    bool in_grid = true;
    baseline_comparison vs_baseline;
};

/// Over the configs in the grid that have throughput data.
struct cross_config_summary {
    std::size_t configs = 0;
    std::size_t beating_baseline = 0;
    std::optional<double> success_rate_pct;  ///< beating_baseline / configs × 100
    std::optional<std::size_t> best;         ///< index into sweep_result::configs, highest mean tok/s
    std::optional<std::size_t> worst;
    std::optional<descriptive_stats> config_tok_s;  ///< of the configs' mean tok/s; its CV is the cross-config CV
    std::optional<double> baseline_tok_s_mean;      ///< mean over configs of their baseline's mean tok/s
    std::optional<double> tok_s_delta_pct_mean;
    std::optional<double> tok_s_delta_pct_max;
    std::optional<double> ttft_delta_pct_mean;
};

struct sweep_result {
    std::string model;
    std::vector<arm_summary> baselines;
    std::vector<config_result> configs;
    std::vector<std::size_t> ranking;  ///< grid configs with data, best mean tok/s first
    cross_config_summary across;
    bool cancelled = false;  ///< the sweep was cancelled: the figures cover the runs that finished before
};

/// The statistics of a sweep. Throws std::invalid_argument if a config names a baseline that
/// does not exist.
[[nodiscard]] sweep_result analyze_sweep(const sweep_observations& observations);

}  // namespace chimera::core
