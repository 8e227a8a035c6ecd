#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/http/http_types.hpp"

namespace chimera::service {

/// Path parameters captured by `{name}` segments, in pattern order.
using path_params = std::vector<std::string>;

using route_handler = std::function<awaitable<http_response>(const http_request&, const path_params&)>;
using sync_route_handler = std::function<http_response(const http_request&, const path_params&)>;

class event_stream;
/// A GET route that answers with a stream of Server-Sent Events (or one plain response).
using stream_route_handler = std::function<awaitable<void>(const http_request&, const path_params&, event_stream&)>;

/// The route a request resolved to, found once per request: its pattern labels the request's
/// metrics and decides its access, and dispatching it does not match the path again.
struct route_match {
    std::string_view pattern = "unmatched";  ///< as registered ("/runs/{id}"); low-cardinality
    std::optional<std::size_t> route;        ///< the route that answers the method; none: 404 or 405
    path_params params;
};

/// A stream route matched by a request, with its path parameters.
struct matched_stream_route {
    const stream_route_handler* handler = nullptr;
    path_params params;
};

/// Maps (method, path pattern) to a handler. Patterns are literal segments and
/// `{param}` segments ("/runs/{id}/report"); the query string is ignored for matching.
/// Unknown paths → 404 problem; a known path with another method → 405 with `Allow`.
/// Handlers never throw to the session: an escaped exception becomes a 500 problem.
class router {
public:
    void add(http::verb method, std::string pattern, route_handler handler);

    /// For handlers that answer without waiting on I/O (most of them).
    void add_sync(http::verb method, std::string pattern, sync_route_handler handler);

    /// A GET route the server hands the connection to. HEAD on it answers the stream's
    /// head without a body, through dispatch().
    void add_stream(std::string pattern, stream_route_handler handler);

    [[nodiscard]] route_match resolve(const http_request& request) const;

    /// Answers a request with the route it resolved to (by value: it lives in the coroutine).
    [[nodiscard]] awaitable<http_response> dispatch(const http_request& request, route_match match) const;

    [[nodiscard]] awaitable<http_response> dispatch(const http_request& request) const;

    /// The stream route a GET request matches, if any.
    [[nodiscard]] std::optional<matched_stream_route> match_stream(const http_request& request) const;

    /// The pattern a request matched ("/runs/{id}"), for low-cardinality labels.
    [[nodiscard]] std::string_view match_pattern(const http_request& request) const;

private:
    struct route {
        http::verb method;
        std::string pattern;
        std::vector<std::string> segments;
        route_handler handler;
        sync_route_handler sync;  ///< called directly, without a coroutine frame; else `handler`
    };

    struct stream_route {
        std::vector<std::string> segments;
        stream_route_handler handler;
    };

    [[nodiscard]] http_response unanswered(const http_request& request) const;

    std::vector<route> routes_;
    std::vector<stream_route> stream_routes_;
};

}  // namespace chimera::service
