#include "store_guard.hpp"

#include <string>

#include <spdlog/spdlog.h>

#include "chimera/http/problem_response.hpp"
#include "chimera/runs/store_monitor.hpp"
#include "chimera/store/run_store.hpp"

namespace chimera::service {
namespace {

/// The store monitor checks every 2 s; a client that comes back after that finds it writable
/// again, or this replica out of the balancer's rotation.
constexpr int store_retry_after_seconds = 5;

}  // namespace

namespace {

http_response unavailable(const http_request& request, const std::string& why) {
    auto response = make_problem(request, http::status::service_unavailable,
                                 why + "; nothing was changed: retry after the advertised delay");
    response.set(http::field::retry_after, std::to_string(store_retry_after_seconds));
    return response;
}

}  // namespace

std::optional<http_response> refuse_while_unwritable(const store_monitor& health, const http_request& request) {
    if (health.writable()) return std::nullopt;
    return unavailable(request, "the run store cannot write now: " + health.detail());
}

http_response store_unavailable(store_monitor& health, const http_request& request, const store_error& error) {
    spdlog::error("{} {}: the run store failed: {}", http::to_string(request.method()),
                  request.target().substr(0, request.target().find('?')), error.what());
    health.write_failed(error.what());
    return unavailable(request, "the run store cannot be written or read now (e.g. its disk is full)");
}

namespace {

/// A plain coroutine function, not a capturing coroutine lambda (GCC 12 double-destroys the
/// captures of those).
awaitable<http_response> guarded_call(store_monitor& health,
                                      const route_handler& handler,
                                      const http_request& request,
                                      const path_params& params) {
    try {
        co_return co_await handler(request, params);
    } catch (const store_error& e) {
        co_return store_unavailable(health, request, e);
    }
}

}  // namespace

route_handler store_guarded(store_monitor& health, route_handler handler) {
    return [&health, handler = std::move(handler)](const http_request& request, const path_params& params) {
        return guarded_call(health, handler, request, params);
    };
}

void add_store_guarded(
    router& routes, store_monitor& health, http::verb method, std::string pattern, route_handler handler) {
    routes.add(method, std::move(pattern), store_guarded(health, std::move(handler)));
}

}  // namespace chimera::service
