#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "temp_dir.hpp"

namespace chimera::core::test {

inline std::filesystem::path data_dir() { return CHIMERA_TEST_DATA_DIR; }

/// The wire contract (schemas and example payloads) in proto-free-api/.
inline std::filesystem::path api_dir() { return CHIMERA_API_DIR; }

/// Whether `text` holds `part` anywhere.
inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

using chimera::test_support::read_text;
using chimera::test_support::temp_dir;

}  // namespace chimera::core::test
