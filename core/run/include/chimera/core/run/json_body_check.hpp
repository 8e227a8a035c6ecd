#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "chimera/core/run/run_request.hpp"

namespace chimera::core::detail {

/// Nesting a request body may have: POST /runs and sweep specs need three levels.
inline constexpr std::size_t max_body_depth = 32;

/// Reads `body` once without building a document and stops at the first array or object nested
/// deeper than `max_depth`, number out of range (1e400) or key given twice in one object (which
/// value was meant?): an error naming the field, before a hostile body costs the time and memory
/// of a document. nullopt when neither (malformed JSON is
/// left to the parse that follows, which says where).
[[nodiscard]] std::optional<request_error> check_json_body(std::string_view body,
                                                           std::size_t max_depth = max_body_depth);

}  // namespace chimera::core::detail
