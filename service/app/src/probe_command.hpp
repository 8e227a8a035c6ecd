#pragma once

#include "command_config.hpp"

namespace chimera::service {

/// `chimera probe URL`: one GET over a blocking-free POSIX socket on this thread, bounded by
/// --timeout as a whole (name resolution aside: numeric hosts need none). Prints one line, on
/// stdout when the answer is 200 (returns 0), on stderr otherwise (returns 1).
int run_probe(const probe_config& config);

}  // namespace chimera::service
