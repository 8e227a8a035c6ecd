#pragma once

#include <string_view>
#include <vector>

#include "chimera/backend/backend_settings.hpp"

namespace chimera::service {

/// One `--backend NAME=URL[,kind=ollama|openai][,api=chat|completions][,max-streams=N][,auth-file=FILE]`:
/// the backend's own settings; the timeouts and pool size come from the command's other flags.
/// Throws std::invalid_argument naming the flag and the part at fault. The auth file's first
/// line is the bearer token (vLLM's and llama.cpp's --api-key), read now so that a missing
/// file stops the start rather than a run.
[[nodiscard]] backend_settings parse_backend_flag(std::string_view value);

/// The backends a command runs on: each `--backend` with `common`'s timeouts and pool size, or,
/// without any, the one of `--ollama-url` (named "default").
[[nodiscard]] std::vector<backend_settings> fleet_settings(const backend_settings& common,
                                                           const std::vector<backend_settings>& named);

}  // namespace chimera::service
