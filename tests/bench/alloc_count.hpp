#pragma once

#include <cstdint>

namespace chimera::bench {

/// Heap allocations (operator new, every form) made by this process so far. Linking
/// alloc_count.cpp into a benchmark replaces the global operator new to count them, so a
/// benchmark can report allocations per item: a figure that does not depend on the machine.
[[nodiscard]] std::uint64_t allocations();

}  // namespace chimera::bench
