#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace chimera::core::detail {

/// The value, or JSON null when absent: how the API documents spell "not yet known".
template <typename T>
[[nodiscard]] nlohmann::json optional_json(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace chimera::core::detail
