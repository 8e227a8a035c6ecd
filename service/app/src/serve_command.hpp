#pragma once

#include "command_config.hpp"

namespace chimera::service {

/// Runs the HTTP service until SIGINT/SIGTERM. Returns the process exit code.
int run_serve(const serve_config& config);

}  // namespace chimera::service
