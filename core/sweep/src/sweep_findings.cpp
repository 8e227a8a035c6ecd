#include "chimera/core/sweep/sweep_findings.hpp"

#include <algorithm>

#include "chimera/core/stats/stat_format.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/text.hpp"

namespace chimera::core {
namespace {

using detail::concat;
using detail::format_fixed;
using detail::format_signed_pct;

constexpr double significance_level = 0.05;
constexpr std::size_t max_listed = 3;

[[nodiscard]] std::string plural(std::size_t count, std::string_view noun) {
    return concat(std::to_string(count), " ", noun, count == 1 ? "" : "s");
}

[[nodiscard]] std::string scope(const sweep_result& result) {
    std::size_t runs = 0;
    for (const std::size_t i : result.ranking) runs += result.configs[i].summary.runs;
    const auto* compared =
        result.baselines.size() == 1 ? " against one baseline." : ", each against the baseline measured next to it.";
    return concat(plural(result.across.configs, "configuration"), " with data, ", plural(runs, "run"), " in all",
                  compared);
}

[[nodiscard]] std::string config_with_delta(const config_result& config) {
    const auto& delta = config.vs_baseline.tok_s_delta_pct;
    return concat(config.summary.label, " at ", format_fixed(config.summary.tok_s->mean, 2), " tok/s",
                  delta ? concat(" (", format_signed_pct(*delta), " vs baseline)") : "");
}

[[nodiscard]] std::string extremes(const sweep_result& result) {
    return concat("Highest throughput: ", config_with_delta(result.configs[*result.across.best]),
                  "; lowest: ", config_with_delta(result.configs[*result.across.worst]), ".");
}

[[nodiscard]] std::string success(const cross_config_summary& across) {
    const auto changes = across.tok_s_delta_pct_mean
                             ? concat("; mean change ", format_signed_pct(*across.tok_s_delta_pct_mean), ", best ",
                                      format_signed_pct(*across.tok_s_delta_pct_max))
                             : "";
    return concat(std::to_string(across.beating_baseline), " of ", plural(across.configs, "configuration"), " (",
                  format_fixed(*across.success_rate_pct, 1), "%) beat their baseline's throughput", changes, ".");
}

/// Cross-config spread against the typical within-config spread (median CV over configs).
[[nodiscard]] std::string spread_vs_noise(const sweep_result& result) {
    const auto& spread = result.across.config_tok_s;
    if (!spread || !spread->cv_percent) return "Cross-config spread unknown: fewer than two configurations.";
    const auto cross = *spread->cv_percent;
    std::vector<double> within;
    for (const std::size_t i : result.ranking) {
        if (const auto cv = result.configs[i].summary.tok_s->cv_percent) within.push_back(*cv);
    }
    const auto cross_text = concat("Config means vary by ", format_fixed(cross, 2), "% CV");
    if (within.empty()) {
        return concat(cross_text,
                      "; run-to-run noise is unknown with one run per config, so this spread cannot be told apart "
                      "from noise.");
    }
    const double noise = quantile(within, 0.5);
    return concat(cross_text, " vs a median run-to-run CV of ", format_fixed(noise, 2), "%: the configs differ by ",
                  cross <= noise ? "less" : "more", " than the noise of repeating one.");
}

[[nodiscard]] std::string significance(const sweep_result& result) {
    std::vector<std::size_t> tested, significant;
    for (const std::size_t i : result.ranking) {
        if (const auto& welch = result.configs[i].vs_baseline.welch) {
            tested.push_back(i);
            if (welch->p_two_sided < significance_level) significant.push_back(i);
        }
    }
    if (tested.empty()) return "No significance test: it needs at least two runs of a config and of its baseline.";
    const auto p_of = [&result](std::size_t i) { return result.configs[i].vs_baseline.welch->p_two_sided; };
    std::sort(significant.begin(), significant.end(),
              [&p_of](std::size_t a, std::size_t b) { return p_of(a) < p_of(b); });
    auto text = concat(std::to_string(significant.size()), " of ", std::to_string(tested.size()),
                       " tested configurations differ from their baseline's throughput at p < 0.05 (Welch)");
    for (std::size_t k = 0; k < std::min(significant.size(), max_listed); ++k) {
        const auto& config = result.configs[significant[k]];
        text += concat(k == 0 ? ": " : ", ", config.summary.label, " (",
                       format_signed_pct(*config.vs_baseline.tok_s_delta_pct),
                       ", p = ", detail::format_p(p_of(significant[k])), ")");
    }
    return text + ".";
}

[[nodiscard]] std::optional<std::string> ttft_change(const cross_config_summary& across) {
    if (!across.ttft_delta_pct_mean) return std::nullopt;
    return concat("Mean TTFT change across configurations: ", format_signed_pct(*across.ttft_delta_pct_mean),
                  " (positive = slower first token).");
}

struct start_counts {
    std::size_t cold = 0;
    std::size_t warm = 0;
    std::size_t unknown = 0;
};

[[nodiscard]] std::size_t count_of(const std::optional<descriptive_stats>& stats) { return stats ? stats->count : 0; }

[[nodiscard]] start_counts count_starts(const sweep_result& result) {
    start_counts counts;
    const auto add = [&counts](const arm_summary& arm) {
        counts.cold += count_of(arm.cold_ttft_ms);
        counts.warm += count_of(arm.warm_ttft_ms);
        counts.unknown += count_of(arm.ttft_ms) - count_of(arm.cold_ttft_ms) - count_of(arm.warm_ttft_ms);
    };
    for (const auto& baseline : result.baselines) add(baseline);
    for (const auto& config : result.configs) add(config.summary);
    return counts;
}

[[nodiscard]] std::string known_starts(const start_counts& counts) {
    if (counts.cold + counts.warm == 0) return "";
    if (counts.warm == 0) {
        return concat("Every call with a recorded load_duration loaded the model (", plural(counts.cold, "cold start"),
                      "): these TTFTs are mostly model load time, not prompt processing.");
    }
    return concat(std::to_string(counts.cold), " of ", plural(counts.cold + counts.warm, "call"),
                  " were cold starts (load_duration >= ", detail::format_number(cold_load_threshold_ms),
                  " ms); the cold/warm table keeps them apart.");
}

[[nodiscard]] std::string cold_starts(const sweep_result& result) {
    const auto counts = count_starts(result);
    auto text = known_starts(counts);
    if (counts.unknown > 0) {
        text += concat(text.empty() ? "" : " ", plural(counts.unknown, "call"),
                       " recorded no load_duration, so cold and warm starts are mixed in their TTFT.");
    }
    return text;
}

}  // namespace

std::vector<std::string> summarize_findings(const sweep_result& result) {
    if (result.across.configs == 0) {
        return {result.cancelled ? "The sweep was cancelled before any configuration had a successful run."
                                 : "No configuration has successful runs yet."};
    }
    std::vector<std::string> findings{scope(result), extremes(result), success(result.across), spread_vs_noise(result),
                                      significance(result)};
    if (result.cancelled) {
        findings.insert(findings.begin(),
                        "The sweep was cancelled: these figures cover only the runs that finished before it.");
    }
    if (auto ttft = ttft_change(result.across)) findings.push_back(*std::move(ttft));
    if (auto starts = cold_starts(result); !starts.empty()) findings.push_back(std::move(starts));
    return findings;
}

}  // namespace chimera::core
