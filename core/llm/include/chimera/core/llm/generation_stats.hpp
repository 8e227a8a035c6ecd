#pragma once

#include <cstdint>
#include <string>

namespace chimera::core {

/// What the backend reports in the final (`done:true`) chunk of a generation.
/// Durations are Ollama's: integer nanoseconds.
struct generation_stats {
    std::string done_reason;
    std::int64_t total_duration_ns = 0;
    std::int64_t load_duration_ns = 0;
    std::int64_t prompt_eval_count = 0;
    std::int64_t prompt_eval_duration_ns = 0;
    std::int64_t eval_count = 0;
    std::int64_t eval_duration_ns = 0;

    /// eval_count / eval_duration, the rate the backend decoded at; 0 when eval_duration is 0.
    [[nodiscard]] double tokens_per_second() const;

    bool operator==(const generation_stats&) const = default;
};

}  // namespace chimera::core
