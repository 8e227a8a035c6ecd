#include "chimera/core/llm/generation_stats.hpp"

namespace chimera::core {

double generation_stats::tokens_per_second() const {
    if (eval_duration_ns <= 0) return 0;
    return static_cast<double>(eval_count) / (static_cast<double>(eval_duration_ns) / 1e9);
}

}  // namespace chimera::core
