#include "chimera/api/health_handlers.hpp"

#include <nlohmann/json.hpp>

#include "chimera/backend/backend_monitor.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {

void add_health_routes(router& routes, const backend_monitor& monitor, std::function<bool()> draining) {
    routes.add_sync(http::verb::get, "/healthz", [](const http_request& request, const path_params&) {
        return make_json_response(request, http::status::ok, R"({"status":"ok"})");
    });
    routes.add_sync(
        http::verb::get, "/readyz",
        [&monitor, draining = std::move(draining)](const http_request& request, const path_params&) {
            if (draining()) {
                return make_json_response(
                    request, http::status::service_unavailable,
                    R"({"status":"draining","detail":"shutting down: no new runs are accepted"})");
            }
            const auto& probe = monitor.last();
            const nlohmann::json body{{"status", probe.ready ? "ready" : "not ready"}, {"detail", probe.detail}};
            return make_json_response(request, probe.ready ? http::status::ok : http::status::service_unavailable,
                                      core::json_text(body));
        });
}

void add_metrics_route(router& routes, const service_metrics& metrics) {
    routes.add_sync(http::verb::get, "/metrics", [&metrics](const http_request& request, const path_params&) {
        return make_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                             metrics.serialize());
    });
}

}  // namespace chimera::service
