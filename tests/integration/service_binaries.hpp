#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace chimera::test_support {

/// The chimera binary the integration tests run: $CHIMERA_BIN when set (scripts/test.sh points
/// the tests of its Release build at the sanitizer build's binary), else the one built with them.
inline std::string chimera_binary() {
    const char* given = std::getenv("CHIMERA_BIN");  // NOLINT(concurrency-mt-unsafe): read, never written
    return given != nullptr ? std::string{given} : std::string{CHIMERA_BUILT_BIN};
}

/// Whether that binary's timings and memory figures mean anything: not for a sanitizer or
/// Debug build ($CHIMERA_BIN_OPTIMIZED=0 says so of a $CHIMERA_BIN).
inline bool chimera_is_optimized() {
    const char* optimized = std::getenv("CHIMERA_BIN_OPTIMIZED");  // NOLINT(concurrency-mt-unsafe)
    if (optimized != nullptr) {
        return std::string_view{optimized} != "0";
    }
    return CHIMERA_OPTIMIZED_BUILD;
}

}  // namespace chimera::test_support
