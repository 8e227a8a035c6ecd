// Decoding of request bodies with the checks and error texts of Ollama's Go handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace sim {

struct request_error {
    unsigned status;
    std::string message;
};

struct generate_request {
    std::string model;  // as sent: Ollama echoes it unnormalized
    std::string prompt;
    std::string system;
    bool stream = true;
    bool raw = false;
    bool template_or_context = false;                               // raw mode rejects these
    bool think = false;                                             // true or a level; our models cannot think
    std::chrono::nanoseconds keep_alive = std::chrono::minutes{5};  // negative never expires, 0 unloads
    nlohmann::ordered_json options = nlohmann::ordered_json::object();
};

// Field types are checked like encoding/json; only the first JSON value of the body counts.
std::variant<generate_request, request_error> decode_generate_request(std::string_view body);

// The model named by a POST /api/show body.
std::variant<std::string, request_error> decode_show_request(std::string_view body);

struct run_options {
    std::int64_t num_predict = -1;
};

// Options.FromMap: unknown keys are ignored, a known key of the wrong type is a 500.
std::variant<run_options, request_error> decode_options(const nlohmann::ordered_json& options);

}  // namespace sim
