#include "chimera/api/health_handlers.hpp"

#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/runs/store_monitor.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {

namespace {

nlohmann::json backend_health(const fleet_backend& backend) {
    const auto& settings = backend.settings();
    const auto& probe = backend.monitor().last();
    return {
        {"name", settings.name},
        {"kind", core::to_string(settings.kind)},
        {"url", "http://" + settings.endpoint.authority()},
        {"up", probe.ready},
        {"detail", probe.detail},
        {"models", backend.monitor().models()},
        {"streams", backend.streams()},
        {"max_streams", settings.max_streams == 0 ? nlohmann::json(nullptr) : nlohmann::json(settings.max_streams)}};
}

/// The fleet at a glance (`up` when any backend is), then each backend.
nlohmann::json fleet_health(const backend_fleet& fleet) {
    bool any_up = false;
    std::string detail;
    std::set<std::string> models;
    auto each = nlohmann::json::array();
    for (const auto& backend : fleet.backends()) {
        const auto& probe = backend->monitor().last();
        any_up = any_up || probe.ready;
        detail += (detail.empty() ? "" : "; ") + backend->name() + ": " + probe.detail;
        models.insert(backend->monitor().models().begin(), backend->monitor().models().end());
        each.push_back(backend_health(*backend));
    }
    return {{"up", any_up}, {"detail", detail}, {"models_listed", models.size()}, {"backends", std::move(each)}};
}

nlohmann::json store_health(const store_monitor& store) {
    return {{"writable", store.writable()}, {"detail", store.writable() ? "" : store.detail()}};
}

http_response readiness(const http_request& request, const readiness_inputs& inputs) {
    std::string status = "ready";
    std::string detail = "serving the API";
    if (inputs.draining()) {
        status = "draining";
        detail = "shutting down: no new runs are accepted";
    } else if (!inputs.store.writable()) {
        status = "not ready";
        detail = "the run store cannot write: " + inputs.store.detail();
    }
    const nlohmann::json body{{"status", status},
                              {"detail", detail},
                              {"store", store_health(inputs.store)},
                              {"backend", fleet_health(inputs.backends)}};
    return make_json_response(request, status == "ready" ? http::status::ok : http::status::service_unavailable,
                              core::json_text(body));
}

}  // namespace

void add_health_routes(router& routes, readiness_inputs inputs) {
    routes.add_sync(http::verb::get, "/healthz", [](const http_request& request, const path_params&) {
        return make_json_response(request, http::status::ok, R"({"status":"ok"})");
    });
    routes.add_sync(http::verb::get, "/readyz",
                    [inputs = std::move(inputs)](const http_request& request, const path_params&) {
                        return readiness(request, inputs);
                    });
}

namespace {

awaitable<std::string> exposition_text(const service_metrics& metrics) { co_return metrics.serialize(); }

/// Rendered on `render_pool`: a scrape of many series takes milliseconds that the network
/// thread owes to the other connections (a probe among them).
awaitable<http_response> serve_metrics(const service_metrics& metrics,
                                       boost::asio::thread_pool& render_pool,
                                       const http_request& request) {
    auto text = co_await boost::asio::co_spawn(render_pool, exposition_text(metrics), boost::asio::use_awaitable);
    co_return make_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", std::move(text));
}

}  // namespace

void add_metrics_route(router& routes, const service_metrics& metrics, boost::asio::thread_pool& render_pool) {
    routes.add(http::verb::get, "/metrics", [&metrics, &render_pool](const http_request& request, const path_params&) {
        return serve_metrics(metrics, render_pool, request);
    });
}

}  // namespace chimera::service
