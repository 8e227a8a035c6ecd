#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "chimera/core/sweep/sweep_analysis.hpp"

namespace chimera::core {

/// How far a sweep that is still running has got.
struct sweep_completion {
    std::size_t finished = 0;  ///< runs that ended, successfully or not
    std::size_t total = 0;
};

struct html_report_options {
    std::optional<sweep_completion> still_running;  ///< the page then says its figures are partial
};

/// The sweep report as one self-contained HTML page (no scripts, no external resources, light and
/// dark): findings; throughput per config (mean, min–max whiskers, the baseline across); TTFT per
/// config, cold and warm calls apart; Δ throughput against the baseline in ranking order with
/// significance (Welch p < 0.05) marked; each chart an accessible inline SVG with a data table
/// beneath. Marks carry data-config (the config's label) and data-series.
[[nodiscard]] std::string render_sweep_html(const sweep_result& result, const html_report_options& options = {});

}  // namespace chimera::core
