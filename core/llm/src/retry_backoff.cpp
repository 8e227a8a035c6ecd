#include "chimera/core/llm/retry_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace chimera::core {

std::chrono::milliseconds retry_backoff::delay_before(int attempt, double unit_random) const {
    const int doublings = std::clamp(attempt - 2, 0, 30);
    const double ceiling =
        std::min(static_cast<double>(cap.count()), static_cast<double>(base.count()) * std::ldexp(1.0, doublings));
    const double fraction = std::clamp(unit_random, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<std::int64_t>(std::floor(ceiling * fraction))};
}

}  // namespace chimera::core
