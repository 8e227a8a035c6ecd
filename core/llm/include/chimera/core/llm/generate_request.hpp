#pragma once

#include <string>
#include <string_view>

#include "chimera/core/llm/run_options.hpp"

namespace chimera::core {

/// The JSON body of a streamed Ollama `POST /api/generate`.
[[nodiscard]] std::string make_generate_body(std::string_view model,
                                             std::string_view prompt,
                                             const run_options& options);

}  // namespace chimera::core
