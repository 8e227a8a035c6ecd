#pragma once

#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "chimera/core/run/json_body_check.hpp"
#include "chimera/core/run/run_request.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {

/// A request body that must be one JSON object (POST /runs, a sweep spec): the
/// parsed object, or an error for the body as a whole.
[[nodiscard]] inline std::variant<nlohmann::json, request_error> parse_json_object(std::string_view body) {
    if (auto error = check_json_body(body)) {
        return *std::move(error);
    }
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann quotes the bytes it last read, which may be half a character.
        return request_error{"", "malformed JSON: " + sanitize_utf8(e.what())};
    }
    if (!document.is_object()) {
        return request_error{"", "body must be a JSON object"};
    }
    return document;
}

}  // namespace chimera::core::detail
