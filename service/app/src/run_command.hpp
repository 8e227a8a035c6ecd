#pragma once

#include "command_config.hpp"

namespace chimera::service {

/// `chimera run`: the run pipeline N times in sequence without a server, writing
/// `<output_dir>/run_<n>/` (write_run_artifacts), showing progress on stderr (progress_display)
/// and printing a summary table. Returns 0 when every run succeeded, 1 otherwise, 130 when SIGINT
/// or SIGTERM stopped it.
int run_once(const run_command_config& config);

}  // namespace chimera::service
