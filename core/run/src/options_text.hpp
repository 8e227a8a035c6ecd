#pragma once

#include <string>

#include "chimera/core/run/run_request.hpp"

namespace chimera::core::detail {

/// The options a run set, as the reference reports print them ("num_gpu=80, temperature=0.8"),
/// or "Ollama defaults" when it set none.
[[nodiscard]] std::string describe_options(const run_options& options);

}  // namespace chimera::core::detail
