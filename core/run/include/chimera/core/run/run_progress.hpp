#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chimera::core {

/// Where a series of runs executed one after the other stands (`chimera run --runs N`,
/// `chimera sweep`): what the progress line shows.
struct run_progress {
    std::size_t done = 0;  ///< runs that ended, successfully or not
    std::size_t total = 0;
    std::size_t failed = 0;
    std::string current;  ///< the config of the run in flight; empty between runs
    double elapsed_seconds = 0;
    double ended_at_seconds = 0;       ///< elapsed when the last run ended: the pace is measured to there
    std::optional<double> last_tok_s;  ///< of the last call that finished
};

/// The runs left at the mean pace of those done, less what the run in flight has already taken:
/// ended_at / done × (total − done) − (elapsed − ended_at), never below 0. Absent before the
/// first run ended, since there is no pace yet; 0 once all are done.
[[nodiscard]] std::optional<double> eta_seconds(const run_progress& progress);

/// A duration as a progress line shows it: "7s", "1m05s", "2h03m".
[[nodiscard]] std::string format_duration(double seconds);

/// The line redrawn in place on a terminal, cut to fit `columns` (a full-width line would wrap
/// and break the redraw):
/// "[3/12 25%] running gpu60_ctx256_temp0.6 | elapsed 1m05s | ETA 3m15s | last call 98.4 tok/s"
[[nodiscard]] std::string progress_line(const run_progress& progress, std::size_t columns);

/// The line printed when a run ended and output is not a terminal, one per run:
/// "run 3/12 gpu60_ctx256_temp0.6 succeeded | elapsed 1m05s | ETA 3m15s | last call 98.4 tok/s"
[[nodiscard]] std::string run_ended_line(const run_progress& progress, std::string_view label, std::string_view status);

}  // namespace chimera::core
