#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace chimera::service {

/// Parses "250ms", "30s", "10m", "1h" (a bare number means seconds).
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace chimera::service
