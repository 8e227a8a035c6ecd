#include "runs_handlers.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "chimera/core/run_document.hpp"
#include "chimera/core/run_request.hpp"
#include "log.hpp"
#include "problem_response.hpp"
#include "run_id.hpp"
#include "run_scheduler.hpp"
#include "run_store.hpp"

namespace chimera::service {
namespace {

std::string dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::run_document new_run(const core::run_request& request, const std::string& default_model) {
    core::run_document run;
    run.id = make_run_id();
    run.model = request.model.value_or(default_model);
    run.options = request.options;
    run.label = request.label;
    run.data_dir = request.data_dir.value_or(".");
    run.created_at = std::chrono::system_clock::now();
    return run;
}

http_response submit_run(runs_resource& resource, const http_request& request) {
    auto parsed = core::parse_run_request(request.body());
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        return make_problem(request, http::status::bad_request, error->detail, error->field);
    }
    const auto& run_request = std::get<core::run_request>(parsed);
    auto resolved = resource.root.resolve(run_request.data_dir.value_or("."));
    if (const auto* refusal = std::get_if<data_dir_refusal>(&resolved)) {
        return make_problem(request, static_cast<http::status>(refusal->status), refusal->detail, "data_dir");
    }
    const auto& run = resource.store.insert(new_run(run_request, resource.default_model));
    if (!resource.scheduler.try_enqueue(run.id, std::get<std::filesystem::path>(std::move(resolved)))) {
        resource.store.erase(run.id);  // a refused run leaves no trace
        auto response = make_problem(request, http::status::too_many_requests,
                                     "the run queue is full; retry after the advertised delay");
        response.set(http::field::retry_after, std::to_string(resource.scheduler.retry_after().count()));
        return response;
    }
    log_run_event(log_level::info, run.id, core::to_string(run.stage), "run accepted, data_dir " + run.data_dir);
    auto response = make_json_response(request, http::status::accepted,
                                       dump({{"id", run.id}, {"status", core::to_string(run.status)}}));
    response.set(http::field::location, "/runs/" + run.id);
    return response;
}

http_response get_run(runs_resource& resource, const http_request& request, const std::string& id) {
    const auto* run = resource.store.find(id);
    if (run == nullptr) {
        return make_problem(request, http::status::not_found, "no run with id '" + id + "'");
    }
    return make_json_response(request, http::status::ok, dump(core::to_json(*run)));
}

http_response get_report(runs_resource& resource, const http_request& request, const std::string& id) {
    const auto* run = resource.store.find(id);
    if (run == nullptr) {
        return make_problem(request, http::status::not_found, "no run with id '" + id + "'");
    }
    const auto* report = resource.store.report(id);
    if (report == nullptr) {
        return make_problem(request, http::status::conflict,
                            "run '" + id + "' has no report: it is " + std::string{core::to_string(run->status)});
    }
    return make_response(request, http::status::ok, "text/markdown; charset=utf-8", *report);
}

http_response cancel_run(runs_resource& resource, const http_request& request, const std::string& id) {
    auto* run = resource.store.find(id);
    if (run == nullptr) {
        return make_problem(request, http::status::not_found, "no run with id '" + id + "'");
    }
    switch (resource.scheduler.cancel(*run)) {
        case cancel_outcome::cancelled:
            return make_json_response(request, http::status::ok, dump(core::to_json(*run)));
        case cancel_outcome::cancelling:
            // The stream is closed already; the run document turns `cancelled` when its
            // worker unwinds, within the same turn of the event loop.
            return make_json_response(request, http::status::accepted,
                                      dump({{"id", run->id}, {"status", "cancelling"}}));
        case cancel_outcome::already_finished:
            break;
    }
    return make_problem(request, http::status::conflict,
                        "run '" + id + "' already ended: " + std::string{core::to_string(run->status)});
}

}  // namespace

void add_runs_routes(router& routes, runs_resource& resource) {
    routes.add_sync(http::verb::post, "/runs", [&resource](const http_request& request, const path_params&) {
        return submit_run(resource, request);
    });
    routes.add_sync(http::verb::get, "/runs/{id}", [&resource](const http_request& request, const path_params& params) {
        return get_run(resource, request, params.at(0));
    });
    routes.add_sync(http::verb::delete_, "/runs/{id}",
                    [&resource](const http_request& request, const path_params& params) {
                        return cancel_run(resource, request, params.at(0));
                    });
    routes.add_sync(http::verb::get, "/runs/{id}/report",
                    [&resource](const http_request& request, const path_params& params) {
                        return get_report(resource, request, params.at(0));
                    });
}

}  // namespace chimera::service
