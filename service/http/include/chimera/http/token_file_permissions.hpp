#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace chimera::service {

/// What an operator should hear about who else may read or change the token file: a warning
/// naming its mode when group or other users have any access to it, none when only its owner has.
[[nodiscard]] std::optional<std::string> token_file_exposure(const std::filesystem::path& file);

}  // namespace chimera::service
