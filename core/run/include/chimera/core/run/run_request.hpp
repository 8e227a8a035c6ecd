#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chimera/core/llm/run_options.hpp"

namespace chimera::core {

/// The body of `POST /runs`, validated.
struct run_request {
    std::optional<std::string> model;
    run_options options;
    std::optional<std::string> data_dir;
    std::optional<std::string> label;
    /// The backend to run on (its --backend name); none: routed by model among the healthy ones.
    std::optional<std::string> backend;
};

/// Why a request body was refused; `field` is a JSON pointer-ish path ("options.top_k"),
/// empty when the body as a whole is at fault.
struct request_error {
    std::string field;
    std::string detail;
};

/// Strict parse: malformed JSON, wrong types, unknown fields and out-of-range values are errors.
[[nodiscard]] std::variant<run_request, request_error> parse_run_request(std::string_view body);

}  // namespace chimera::core
