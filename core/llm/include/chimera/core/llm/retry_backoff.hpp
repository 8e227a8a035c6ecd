#pragma once

#include <chrono>

namespace chimera::core {

/// Exponential back-off with "full jitter" (AWS architecture blog): the wait before
/// attempt `attempt` (2, 3, …) is uniform in [0, min(cap, base·2^(attempt−2))], so
/// clients that failed together don't retry together.
struct retry_backoff {
    std::chrono::milliseconds base{200};
    std::chrono::milliseconds cap{5000};

    /// `unit_random` in [0, 1) comes from the caller: core keeps no random state.
    [[nodiscard]] std::chrono::milliseconds delay_before(int attempt, double unit_random) const;
};

}  // namespace chimera::core
