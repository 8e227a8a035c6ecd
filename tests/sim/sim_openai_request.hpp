// Decoding of POST /v1/chat/completions and /v1/completions bodies: the fields the simulator honours,
// type-checked so a bad request gets the engine's 400.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "sim_request.hpp"

namespace sim {

enum class openai_api { chat, completions };

struct openai_request {
    std::string model;  // as sent: both engines echo it
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    std::optional<std::uint64_t> max_tokens;
    std::uint64_t prompt_tokens = 1;  // words of every message's content, or of the prompt
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<std::int64_t> seed;
};

// `default_model` stands in for an absent "model", as both engines serve their one model then.
std::variant<openai_request, request_error> decode_openai_request(std::string_view body,
                                                                  openai_api api,
                                                                  std::string_view default_model);

}  // namespace sim
