#include "health_handlers.hpp"

#include <nlohmann/json.hpp>

#include "backend_probe.hpp"
#include "problem_response.hpp"
#include "service_metrics.hpp"

namespace chimera::service {

void add_health_routes(router& routes,
                       backend_connection_pool& pool,
                       const backend_settings& settings,
                       service_metrics& metrics) {
    routes.add_sync(http::verb::get, "/healthz", [](const http_request& request, const path_params&) {
        return make_json_response(request, http::status::ok, R"({"status":"ok"})");
    });
    routes.add(
        http::verb::get, "/readyz",
        [&pool, &settings, &metrics](const http_request& request, const path_params&) -> awaitable<http_response> {
            const auto probe = co_await probe_backend(pool, settings);
            metrics.set_backend_up(probe.ready);
            const nlohmann::json body{{"status", probe.ready ? "ready" : "not ready"}, {"detail", probe.detail}};
            co_return make_json_response(request, probe.ready ? http::status::ok : http::status::service_unavailable,
                                         body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        });
    routes.add_sync(http::verb::get, "/metrics", [&metrics](const http_request& request, const path_params&) {
        return make_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                             metrics.serialize());
    });
}

}  // namespace chimera::service
