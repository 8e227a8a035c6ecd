#pragma once

#include <span>

namespace chimera::service {

/// `chimera sweep --spec FILE`: executes a sweep here (execute_live_sweep), prints its report
/// and writes it with the runs' files, showing progress on stderr (progress_display); 0 when every
/// run succeeded, else 1; 130 when SIGINT or SIGTERM stopped it (the reports cover what ran).
/// `chimera sweep --from-recorded DIR`: recomputes a recorded reference sweep's statistics from
/// its metrics.json files and prints the report. Both take `--format md|csv|json|html`. Throws
/// std::invalid_argument for bad flags or a bad spec and core::recorded_format_error for
/// unreadable recorded data.
int run_sweep_command(std::span<char* const> args);

}  // namespace chimera::service
