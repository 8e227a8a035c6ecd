#include "chimera/api/runs_handlers.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "body_parse.hpp"
#include "chimera/backend/backend_fleet.hpp"
#include "chimera/core/run/agent_report_renderer.hpp"
#include "chimera/core/run/run_document.hpp"
#include "chimera/core/run/run_request.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/http/query_string.hpp"
#include "chimera/http/request_id.hpp"
#include "chimera/runs/run_id.hpp"
#include "chimera/runs/run_scheduler.hpp"
#include "chimera/store/run_store.hpp"
#include "chimera/store/stored_run_document.hpp"
#include "chimera/telemetry/log.hpp"
#include "run_list.hpp"
#include "store_guard.hpp"
#include "submission_refusal.hpp"

namespace chimera::service {
namespace {

constexpr std::size_t max_idempotency_key_chars = 255;

http_response no_such_run(const http_request& request, const std::string& id) {
    return make_problem(request, http::status::not_found, "no run with id '" + id + "'");
}

/// A printable-ASCII token, as the Idempotency-Key draft (RFC 8941 string) allows.
bool valid_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > max_idempotency_key_chars) return false;
    return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

using run_body = read_body<core::run_request>;

run_submission make_submission(const http_request& request,
                               const core::run_request& run_request,
                               std::string canonical,
                               const std::string& default_model) {
    run_submission submission;
    submission.id = make_run_id();
    submission.model = run_request.model.value_or(default_model);
    submission.label = run_request.label;
    submission.request = std::move(canonical);
    if (const auto key = request.find("Idempotency-Key"); key != request.end()) {
        submission.idempotency_key = std::string{key->value()};
    }
    submission.created_at = std::chrono::system_clock::now();
    if (const auto id = request.find(request_id_header); id != request.end()) {
        submission.request_id = std::string{id->value()};
    }
    return submission;
}

http_response accepted(const http_request& request, const stored_run& run, bool replayed) {
    auto response = make_json_response(request, http::status::accepted,
                                       core::json_text({{"id", run.id}, {"status", core::to_string(run.status)}}));
    response.set(http::field::location, "/runs/" + run.id);
    if (replayed) response.set("Idempotent-Replayed", "true");
    return response;
}

http_response refused(jobs_resource& resource, const http_request& request, const submit_result& result) {
    if (result.status == submit_status::idempotency_conflict) {
        return make_problem(request, http::status::unprocessable_entity,
                            "this Idempotency-Key was used for a different request (run '" + result.run->id + "')",
                            "Idempotency-Key");
    }
    return refuse_submission(request, result.status, resource.scheduler.retry_after());
}

/// Why no backend of this service could ever take the run, if none could.
std::optional<route_refusal> routing_refusal(const jobs_resource& resource, const core::run_request& run_request) {
    const auto model = run_request.model.value_or(resource.default_model);
    return resource.fleet.refusal({run_request.backend.value_or(""), model, &run_request.options});
}

awaitable<http_response> submit_run(jobs_resource& resource, const http_request& request, run_body body) {
    const auto& parsed = body.parsed;
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->field);
    }
    if (const auto key = request.find("Idempotency-Key");
        key != request.end() && !valid_idempotency_key(key->value())) {
        co_return make_problem(request, http::status::bad_request,
                               "Idempotency-Key must be 1 to 255 printable ASCII characters", "Idempotency-Key");
    }
    const auto& run_request = std::get<core::run_request>(parsed);
    if (auto unroutable = routing_refusal(resource, run_request)) {
        co_return make_problem(request, http::status::bad_request, unroutable->detail, unroutable->field);
    }
    auto resolved = resource.root.resolve(run_request.data_dir.value_or("."));
    if (const auto* refusal = std::get_if<data_dir_refusal>(&resolved)) {
        co_return make_problem(request, static_cast<http::status>(refusal->status), refusal->detail, "data_dir");
    }
    if (auto refused = refuse_while_unwritable(resource.store_health, request)) co_return std::move(*refused);
    const auto result = co_await resource.scheduler.submit(
        make_submission(request, run_request, std::move(body.canonical), resource.default_model));
    if (result.status == submit_status::accepted) {
        log_run_event(log_level::info, result.run->id, "queued",
                      "run accepted, data_dir " + run_request.data_dir.value_or("."),
                      result.run->request_id.value_or(""));
        co_return accepted(request, *result.run, false);
    }
    if (result.status == submit_status::replayed) {
        co_return accepted(request, *result.run, true);
    }
    co_return refused(resource, request, result);
}

awaitable<http_response> post_run(jobs_resource& resource, const http_request& request) {
    auto body =
        co_await read_request_body<core::run_request>(resource.parse_pool, request.body(), core::parse_run_request);
    try {
        co_return co_await submit_run(resource, request, std::move(body));
    } catch (const store_error& e) {
        co_return store_unavailable(resource.store_health, request, e);
    }
}

awaitable<http_response> list_runs(jobs_resource& resource, const http_request& request) {
    auto filter = parse_run_filter(request.target());
    if (const auto* error = std::get_if<query_error>(&filter)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->parameter);
    }
    const auto& chosen = std::get<run_filter>(filter);
    auto page = co_await resource.calls([&] { return core::json_text(run_page_json(resource.runs, chosen)); });
    co_return make_json_response(request, http::status::ok, std::move(page));
}

awaitable<http_response> get_run(jobs_resource& resource, const http_request& request, std::string id) {
    auto document = co_await resource.scheduler.document_text(id);
    if (!document) co_return no_such_run(request, id);
    co_return make_json_response(request, http::status::ok, std::move(*document));
}

/// `?kind=llm` (the default) or `?kind=agent`; any other parameter or kind is refused.
std::variant<report_kind, query_error> parse_report_query(std::string_view target) {
    auto parsed = parse_query(target);
    if (auto* error = std::get_if<query_error>(&parsed)) return std::move(*error);
    for (const auto& [name, value] : std::get<query_params>(parsed)) {
        if (name != "kind") return query_error{name, "unknown query parameter (known: kind)"};
        if (value == "agent") return report_kind::agent;
        if (value != "llm") {
            return query_error{name, "unknown report kind '" + value + "': use 'llm' (the default) or 'agent'"};
        }
    }
    return report_kind::llm;
}

/// The run and its report as the store holds them.
struct stored_report {
    std::optional<stored_run> run;
    std::optional<std::string> report;
};

/// A run that ended without a recorded agent report (cancelled while queued, failed by
/// recovery) still has one: rendered from what the store knows.
stored_report report_of(run_store& runs, const std::string& id, report_kind kind) {
    stored_report found{runs.find(id), std::nullopt};
    if (!found.run) return found;
    const auto& run = *found.run;
    found.report = runs.report(run.id, kind);
    if (!found.report && kind == report_kind::agent && core::is_terminal(run.status) && !run.document) {
        found.report = core::render_agent_report(unexecuted_document(run));
    }
    return found;
}

awaitable<http_response> get_report(jobs_resource& resource, const http_request& request, std::string id) {
    const auto kind = parse_report_query(request.target());
    if (const auto* error = std::get_if<query_error>(&kind)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->parameter);
    }
    const auto chosen = std::get<report_kind>(kind);
    auto found = co_await resource.calls([&] { return report_of(resource.runs, id, chosen); });
    if (!found.run) co_return no_such_run(request, id);
    if (!found.report) {
        const auto status = resource.scheduler.live(id) ? core::run_status::running : found.run->status;
        const std::string what = chosen == report_kind::llm ? "report" : "agent report";
        co_return make_problem(request, http::status::conflict,
                               "run '" + id + "' has no " + what + ": it is " + std::string{core::to_string(status)});
    }
    co_return make_response(request, http::status::ok, "text/markdown; charset=utf-8", std::move(*found.report));
}

awaitable<http_response> cancel_run(jobs_resource& resource, const http_request& request, std::string id) {
    switch (co_await resource.scheduler.cancel(id)) {
        case cancel_outcome::cancelled:
            co_return make_json_response(request, http::status::ok,
                                         (co_await resource.scheduler.document_text(id)).value_or("null"));
        case cancel_outcome::cancelling:
            // The stream is closed already (or its replica is told); the run document turns
            // `cancelled` when its worker unwinds.
            co_return make_json_response(request, http::status::accepted,
                                         core::json_text({{"id", id}, {"status", "cancelling"}}));
        case cancel_outcome::not_found:
            co_return no_such_run(request, id);
        case cancel_outcome::already_finished:
            break;
    }
    const auto document = co_await resource.scheduler.document_json(id);
    const std::string status = document ? document->value("status", "finished") : "finished";
    co_return make_problem(request, http::status::conflict, "run '" + id + "' already ended: " + status);
}

}  // namespace

void add_runs_routes(router& routes, jobs_resource& resource) {
    const auto add = [&routes, &resource](http::verb method, std::string pattern, route_handler handler) {
        add_store_guarded(routes, resource.store_health, method, std::move(pattern), std::move(handler));
    };
    routes.add(http::verb::post, "/runs",
               [&resource](const http_request& request, const path_params&) { return post_run(resource, request); });
    add(http::verb::get, "/runs",
        [&resource](const http_request& request, const path_params&) { return list_runs(resource, request); });
    add(http::verb::get, "/runs/{id}", [&resource](const http_request& request, const path_params& params) {
        return get_run(resource, request, params.at(0));
    });
    add(http::verb::delete_, "/runs/{id}", [&resource](const http_request& request, const path_params& params) {
        return cancel_run(resource, request, params.at(0));
    });
    add(http::verb::get, "/runs/{id}/report", [&resource](const http_request& request, const path_params& params) {
        return get_report(resource, request, params.at(0));
    });
}

}  // namespace chimera::service
