#pragma once

#include <span>
#include <string>

namespace chimera::service {

/// `chimera sweep --from-recorded DIR [--format md|csv|json]`: recomputes a recorded reference
/// sweep's statistics from its metrics.json files and prints the report. Throws
/// std::invalid_argument for bad flags and core::recorded_format_error for unreadable data.
int run_sweep_command(std::span<char* const> args);

[[nodiscard]] std::string sweep_usage();

}  // namespace chimera::service
