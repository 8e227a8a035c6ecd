#pragma once

#include <filesystem>

#include "temp_dir.hpp"

namespace chimera::core::test {

inline std::filesystem::path data_dir() { return CHIMERA_TEST_DATA_DIR; }

/// The wire contract (schemas and example payloads) in proto-free-api/.
inline std::filesystem::path api_dir() { return CHIMERA_API_DIR; }

using chimera::test_support::read_text;
using chimera::test_support::temp_dir;

}  // namespace chimera::core::test
