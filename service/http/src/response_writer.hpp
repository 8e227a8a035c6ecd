#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>

#include "chimera/http/http_types.hpp"

namespace chimera::service {

/// A response's status line and fields as they go on the wire, up to and including the
/// blank line; the same bytes as Beast's serializer (fields in insertion order), whose
/// generic buffer sequences cost about a third of a small request's instructions
/// (callgrind, GET /healthz).
[[nodiscard]] std::string response_head(const http_response& response);

struct write_outcome {
    boost::system::error_code error;
    std::size_t bytes = 0;  ///< written, headers included
};

/// Writes `response`, head and body in one gathered write, straight away as far as the
/// socket takes it (all of it, for a small response), the rest asynchronously within
/// `timeout`. Skipping the asynchronous write when it is not needed saves a composed
/// operation, a timer wait and its cancellation, and two trips through the scheduler.
/// The stream's socket must be in non-blocking mode.
awaitable<write_outcome> write_response(boost::beast::tcp_stream& stream,
                                        const http_response& response,
                                        std::chrono::seconds timeout);

}  // namespace chimera::service
