#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace chimera::core {

/// The JSON text of a value whose strings may hold invalid UTF-8 (model output, file names,
/// request fields): invalid bytes become U+FFFD where `dump()` would throw. `indent` as
/// nlohmann's: -1 for one line.
[[nodiscard]] std::string json_text(const nlohmann::json& value, int indent = -1);

}  // namespace chimera::core
