#pragma once

#include <chrono>
#include <string>

#include "chimera/http/http_connection.hpp"
#include "chimera/http/http_types.hpp"

namespace chimera::service {

/// A response's status line and fields as they go on the wire, up to and including the
/// blank line; the same bytes as Beast's serializer (fields in insertion order), whose
/// generic buffer sequences cost about a third of a small request's instructions
/// (callgrind, GET /healthz).
[[nodiscard]] std::string response_head(const http_response& response);

/// Writes `response`, head and body in one gathered write, within `timeout`;
/// `bytes` counts the head too.
awaitable<io_result> write_response(http_connection& connection,
                                    const http_response& response,
                                    std::chrono::steady_clock::duration timeout);

}  // namespace chimera::service
