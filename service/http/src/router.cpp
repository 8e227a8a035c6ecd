#include "chimera/http/router.hpp"

#include <optional>

#include <boost/container/small_vector.hpp>
#include <spdlog/spdlog.h>

#include "chimera/http/problem_response.hpp"

namespace chimera::service {
namespace {

/// Views into a path, held in place up to a depth no route reaches: a request's path is
/// split three times per request (stream route, metrics pattern, dispatch), without copying
/// its segments or allocating.
using path_segments = boost::container::small_vector<std::string_view, 8>;

path_segments split_path(std::string_view path) {
    path_segments segments;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        segments.emplace_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return segments;
}

std::string_view path_of(const http_request& request) {
    const std::string_view target = request.target();
    return target.substr(0, target.find('?'));
}

bool is_param(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> owned(const path_segments& segments) { return {segments.begin(), segments.end()}; }

std::optional<path_params> match(const std::vector<std::string>& pattern, const path_segments& path) {
    if (pattern.size() != path.size()) {
        return std::nullopt;
    }
    path_params params;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_param(pattern[i])) {
            params.emplace_back(path[i]);
        } else if (pattern[i] != path[i]) {
            return std::nullopt;
        }
    }
    return params;
}

/// HEAD is served by every GET route.
bool answers(http::verb route_method, http::verb method) {
    return route_method == method || (method == http::verb::head && route_method == http::verb::get);
}

}  // namespace

void router::add(http::verb method, std::string pattern, route_handler handler) {
    auto segments = owned(split_path(pattern));
    routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler), {}});
}

void router::add_sync(http::verb method, std::string pattern, sync_route_handler handler) {
    auto segments = owned(split_path(pattern));
    routes_.push_back({method, std::move(pattern), std::move(segments), {}, std::move(handler)});
}

void router::add_stream(std::string pattern, stream_route_handler handler) {
    stream_routes_.push_back({owned(split_path(pattern)), std::move(handler)});
    add_sync(http::verb::get, std::move(pattern), [](const http_request& request, const path_params&) {
        return make_response(request, http::status::ok, "text/event-stream", "");
    });
}

std::optional<matched_stream_route> router::match_stream(const http_request& request) const {
    if (request.method() != http::verb::get) return std::nullopt;
    const auto path = split_path(path_of(request));
    for (const auto& r : stream_routes_) {
        if (auto params = match(r.segments, path)) return matched_stream_route{&r.handler, std::move(*params)};
    }
    return std::nullopt;
}

route_match router::resolve(const http_request& request) const {
    const auto path = split_path(path_of(request));
    route_match found;
    bool path_known = false;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        auto params = match(routes_[i].segments, path);
        if (!params) {
            continue;
        }
        const bool answered = answers(routes_[i].method, request.method());
        if (answered || !path_known) {
            found.pattern = routes_[i].pattern;  // the answering route's, else the path's first
        }
        path_known = true;
        if (answered) {
            found.route = i;
            found.params = std::move(*params);
            break;
        }
    }
    return found;
}

std::string_view router::match_pattern(const http_request& request) const { return resolve(request).pattern; }

awaitable<http_response> router::dispatch(const http_request& request) const {
    return dispatch(request, resolve(request));
}

awaitable<http_response> router::dispatch(const http_request& request, route_match match) const {
    if (!match.route) {
        co_return unanswered(request);
    }
    const auto& r = routes_[*match.route];
    try {
        if (r.sync) {
            co_return r.sync(request, match.params);  // without a coroutine frame of its own
        }
        co_return co_await r.handler(request, match.params);
    } catch (const std::exception& e) {
        spdlog::error("handler for {} {} failed: {}", http::to_string(request.method()), r.pattern, e.what());
    } catch (...) {
        spdlog::error("handler for {} {} failed with a non-standard exception", http::to_string(request.method()),
                      r.pattern);
    }
    co_return make_problem(request, http::status::internal_server_error,
                           "the server failed to handle the request; see its log");
}

/// 405 with the methods the path allows, or 404.
http_response router::unanswered(const http_request& request) const {
    const auto path = split_path(path_of(request));
    std::string allowed;
    for (const auto& r : routes_) {
        if (!match(r.segments, path)) {
            continue;
        }
        allowed += allowed.empty() ? "" : ", ";
        allowed += std::string{http::to_string(r.method)};
        if (r.method == http::verb::get) {
            allowed += ", HEAD";  // served by every GET route
        }
    }
    if (!allowed.empty()) {
        auto response = make_problem(request, http::status::method_not_allowed, "this resource allows: " + allowed);
        response.set(http::field::allow, allowed);
        return response;
    }
    return make_problem(request, http::status::not_found, "no resource at " + std::string{path_of(request)});
}

}  // namespace chimera::service
