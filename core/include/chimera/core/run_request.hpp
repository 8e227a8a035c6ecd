#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

namespace chimera::core {

/// Ollama options a run may set; unset ones are left to Ollama's defaults.
struct run_options {
    std::optional<std::int64_t> num_gpu;
    std::optional<std::int64_t> num_ctx;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<std::int64_t> top_k;
    std::optional<double> repeat_penalty;
    std::optional<std::int64_t> num_predict;
    std::optional<std::int64_t> seed;
};

/// The body of `POST /runs`, validated.
struct run_request {
    std::optional<std::string> model;
    run_options options;
    std::optional<std::string> data_dir;
    std::optional<std::string> label;
};

/// Why a request body was refused; `field` is a JSON pointer-ish path ("options.top_k"),
/// empty when the body as a whole is at fault.
struct request_error {
    std::string field;
    std::string detail;
};

/// Strict parse: malformed JSON, wrong types, unknown fields and out-of-range values are errors.
[[nodiscard]] std::variant<run_request, request_error> parse_run_request(std::string_view body);

/// Options as Ollama's `options` object (only the set ones).
[[nodiscard]] nlohmann::json to_json(const run_options& options);

}  // namespace chimera::core
