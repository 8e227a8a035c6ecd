#pragma once

#include <string>
#include <string_view>

namespace chimera::core::detail {

/// Joins text pieces in one buffer. Long `"literal" + std::string + …` chains trip GCC 12's
/// -Wrestrict / -Wmaybe-uninitialized false positives at -O2; appending does not, and allocates once.
template <typename... Parts>
[[nodiscard]] std::string concat(const Parts&... parts) {
    std::string out;
    out.reserve((std::string_view(parts).size() + ... + 0));
    (out.append(std::string_view(parts)), ...);
    return out;
}

}  // namespace chimera::core::detail
