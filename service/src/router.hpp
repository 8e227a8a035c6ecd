#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.hpp"

namespace chimera::service {

/// Path parameters captured by `{name}` segments, in pattern order.
using path_params = std::vector<std::string>;

using route_handler = std::function<awaitable<http_response>(const http_request&, const path_params&)>;
using sync_route_handler = std::function<http_response(const http_request&, const path_params&)>;

/// Maps (method, path pattern) to a handler. Patterns are literal segments and
/// `{param}` segments ("/runs/{id}/report"); the query string is ignored for matching.
/// Unknown paths → 404 problem; a known path with another method → 405 with `Allow`.
/// Handlers never throw to the session: an escaped exception becomes a 500 problem.
class router {
public:
    void add(http::verb method, std::string pattern, route_handler handler);

    /// For handlers that answer without waiting on I/O (most of them).
    void add_sync(http::verb method, std::string pattern, sync_route_handler handler);

    [[nodiscard]] awaitable<http_response> dispatch(const http_request& request) const;

    /// The pattern a request matched ("/runs/{id}"), for low-cardinality labels.
    [[nodiscard]] std::string_view match_pattern(const http_request& request) const;

private:
    struct route {
        http::verb method;
        std::string pattern;
        std::vector<std::string> segments;
        route_handler handler;
    };

    std::vector<route> routes_;
};

}  // namespace chimera::service
