// The JSON objects of /api/generate responses, in GenerateResponse field order.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

struct final_metrics {
    std::string_view done_reason;
    std::uint64_t prompt_eval_count = 0;
    std::uint64_t eval_count = 0;
    bool with_context = true;  // raw mode returns no context
    std::chrono::nanoseconds total_duration{};
    std::chrono::nanoseconds load_duration{};
    std::chrono::nanoseconds prompt_eval_duration{};
    std::chrono::nanoseconds eval_duration{};
};

// One streamed token: the NDJSON line with its "\n".
std::string token_line(std::string_view model, std::string_view token);

// The done:true object (no "\n"): `response` is "" when streaming, the whole text otherwise.
std::string final_object(std::string_view model, std::string_view response, const final_metrics& metrics);

// The answer to an empty prompt: done_reason "load" or "unload".
std::string residency_object(std::string_view model, std::string_view done_reason);

std::string error_object(std::string_view message);

}  // namespace sim
