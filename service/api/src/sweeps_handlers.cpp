#include "chimera/api/sweeps_handlers.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "body_parse.hpp"
#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/sweep/sweep_report_html.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/http/query_string.hpp"
#include "chimera/runs/run_scheduler.hpp"
#include "chimera/runs/sweep_results.hpp"
#include "chimera/runs/sweep_routing.hpp"
#include "chimera/runs/sweep_submission.hpp"
#include "chimera/store/sweep_store.hpp"
#include "chimera/telemetry/log.hpp"
#include "store_guard.hpp"
#include "submission_refusal.hpp"
#include "sweep_json.hpp"

namespace chimera::service {
namespace {

enum class report_format { md, csv, json, html };

http_response no_such_sweep(const http_request& request, const std::string& id) {
    return make_problem(request, http::status::not_found, "no sweep with id '" + id + "'");
}

/// Every run must fit in the queue at once, or the sweep could never be accepted.
std::string too_large(std::size_t runs, std::size_t capacity) {
    return "expands to " + std::to_string(runs) + " runs ((configs + baseline) × repetitions) but the queue holds " +
           std::to_string(capacity) + " (--queue-capacity)";
}

using sweep_body = read_body<core::sweep_spec>;

awaitable<http_response> submit_sweep(jobs_resource& resource, const http_request& request, sweep_body body) {
    const auto& parsed = body.parsed;
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->field);
    }
    const auto& spec = std::get<core::sweep_spec>(parsed);
    const auto model = spec.model.value_or(resource.default_model);
    if (auto unroutable = sweep_routing_refusal(resource.fleet, spec, core::expand_sweep(spec), model)) {
        co_return make_problem(request, http::status::bad_request, unroutable->detail, unroutable->field);
    }
    auto resolved = resource.root.resolve(spec.data_dir.value_or("."));
    if (const auto* refusal = std::get_if<data_dir_refusal>(&resolved)) {
        co_return make_problem(request, static_cast<http::status>(refusal->status), refusal->detail, "data_dir");
    }
    const auto runs = (core::config_count(spec) + 1) * spec.repetitions;
    if (runs > resource.scheduler.capacity()) {
        co_return make_problem(request, http::status::bad_request, too_large(runs, resource.scheduler.capacity()),
                               "grid");
    }
    if (auto refused = refuse_while_unwritable(resource.store_health, request)) co_return std::move(*refused);
    auto submission = make_sweep_submission(spec, std::move(body.canonical), model, std::chrono::system_clock::now());
    const auto result = co_await resource.scheduler.submit_sweep(std::move(submission));
    if (result.status != submit_status::accepted) {
        co_return refuse_submission(request, result.status, resource.scheduler.retry_after());
    }
    const std::string data_dir = spec.data_dir.value_or(".");
    log_event(log_level::info, "sweep accepted",
              {{"sweep_id", result.sweep->id}, {"runs", static_cast<std::int64_t>(runs)}, {"data_dir", data_dir}});
    auto response = make_json_response(
        request, http::status::accepted,
        core::json_text({{"id", result.sweep->id}, {"status", core::to_string(result.sweep->status)}, {"runs", runs}}));
    response.set(http::field::location, "/sweeps/" + result.sweep->id);
    co_return response;
}

awaitable<http_response> post_sweep(jobs_resource& resource, const http_request& request) {
    auto body =
        co_await read_request_body<core::sweep_spec>(resource.parse_pool, request.body(), core::parse_sweep_spec);
    try {
        co_return co_await submit_sweep(resource, request, std::move(body));
    } catch (const store_error& e) {
        co_return store_unavailable(resource.store_health, request, e);
    }
}

awaitable<http_response> list_sweeps(jobs_resource& resource, const http_request& request) {
    auto filter = parse_sweep_filter(request.target());
    if (const auto* error = std::get_if<query_error>(&filter)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->parameter);
    }
    const auto& chosen = std::get<sweep_filter>(filter);
    auto page = co_await resource.calls([&] { return core::json_text(sweep_page_json(resource.sweeps, chosen)); });
    co_return make_json_response(request, http::status::ok, std::move(page));
}

/// The sweep's document, with its results once every run ended (a cancelled sweep's included,
/// from what ran); nullopt when there is no such sweep.
std::optional<std::string> sweep_document_text(sweep_store& sweeps, const std::string& id) {
    const auto sweep = sweeps.find_sweep(id);
    if (!sweep) return std::nullopt;
    nlohmann::json results = nullptr;
    if (core::is_terminal(sweep->status)) results = core::to_json(sweep_results(*sweep, sweeps.sweep_runs(id)));
    return core::json_text(sweep_document_json(*sweep, std::move(results)));
}

awaitable<http_response> get_sweep(jobs_resource& resource, const http_request& request, std::string id) {
    auto document = co_await resource.calls([&] { return sweep_document_text(resource.sweeps, id); });
    if (!document) co_return no_such_sweep(request, id);
    co_return make_json_response(request, http::status::ok, std::move(*document));
}

awaitable<http_response> cancel_sweep(jobs_resource& resource, const http_request& request, std::string id) {
    const auto cancellation = co_await resource.scheduler.cancel_sweep(id);
    if (!cancellation.found) co_return no_such_sweep(request, id);
    if (cancellation.already_finished) {
        const auto sweep = co_await resource.calls([&] { return resource.sweeps.find_sweep(id); });
        const std::string status = sweep ? std::string{core::to_string(sweep->status)} : "finished";
        co_return make_problem(request, http::status::conflict, "sweep '" + id + "' already ended: " + status);
    }
    if (!cancellation.running.empty()) {
        // Its running run's stream is closed already (or its replica is told); the sweep turns
        // `cancelled` when that run has unwound.
        co_return make_json_response(request, http::status::accepted,
                                     core::json_text({{"id", id}, {"status", "cancelling"}}));
    }
    auto document = co_await resource.calls([&] { return sweep_document_text(resource.sweeps, id); });
    co_return make_json_response(request, http::status::ok, std::move(document).value_or("null"));
}

/// `?format=md` (the default), `csv`, `json` or `html`; any other parameter or format is refused.
std::variant<report_format, query_error> parse_report_query(std::string_view target) {
    auto parsed = parse_query(target);
    if (auto* error = std::get_if<query_error>(&parsed)) return std::move(*error);
    for (const auto& [name, value] : std::get<query_params>(parsed)) {
        if (name != "format") return query_error{name, "unknown query parameter (known: format)"};
        if (value == "csv") return report_format::csv;
        if (value == "json") return report_format::json;
        if (value == "html") return report_format::html;
        if (value != "md")
            return query_error{name, "unknown format '" + value + "': use md (the default), csv, json or html"};
    }
    return report_format::md;
}

/// The page has no scripts and loads nothing: the policy says so to the browser, so text that
/// escaped escaping still could not run or fetch.
http_response html_report(const http_request& request,
                          const core::sweep_result& result,
                          const core::html_report_options& options) {
    auto response =
        make_response(request, http::status::ok, "text/html; charset=utf-8", core::render_sweep_html(result, options));
    response.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    return response;
}

/// While runs are left, only the HTML page is served: it says that its figures are partial.
http_response partial_report(const http_request& request,
                             const stored_sweep& sweep,
                             const std::vector<stored_run>& runs) {
    const auto& progress = sweep.progress;
    const core::sweep_completion completion{
        static_cast<std::size_t>(progress.total - progress.queued - progress.running),
        static_cast<std::size_t>(progress.total)};
    return html_report(request, sweep_results(sweep, runs), {completion});
}

http_response render_report(const http_request& request, const core::sweep_result& result, report_format format) {
    switch (format) {
        case report_format::csv:
            return make_response(request, http::status::ok, "text/csv; charset=utf-8", core::render_sweep_csv(result));
        case report_format::json:
            return make_json_response(request, http::status::ok, core::json_text(core::to_json(result), 2) + "\n");
        case report_format::html:
            return html_report(request, result, {});
        case report_format::md:
            break;
    }
    return make_response(request, http::status::ok, "text/markdown; charset=utf-8",
                         core::render_sweep_markdown(result));
}

/// The sweep and its runs as the store holds them.
struct stored_sweep_runs {
    std::optional<stored_sweep> sweep;
    std::vector<stored_run> runs;
};

stored_sweep_runs find_sweep_runs(sweep_store& sweeps, const std::string& id) {
    stored_sweep_runs found{sweeps.find_sweep(id), {}};
    if (found.sweep) found.runs = sweeps.sweep_runs(id);
    return found;
}

awaitable<http_response> get_report(jobs_resource& resource, const http_request& request, std::string id) {
    const auto format = parse_report_query(request.target());
    if (const auto* error = std::get_if<query_error>(&format)) {
        co_return make_problem(request, http::status::bad_request, error->detail, error->parameter);
    }
    const auto found = co_await resource.calls([&] { return find_sweep_runs(resource.sweeps, id); });
    const auto& sweep = found.sweep;
    if (!sweep) co_return no_such_sweep(request, id);
    const auto chosen = std::get<report_format>(format);
    if (!core::is_terminal(sweep->status) && chosen == report_format::html) {
        co_return partial_report(request, *sweep, found.runs);
    }
    if (!core::is_terminal(sweep->status)) {
        co_return make_problem(request, http::status::conflict,
                               "sweep '" + id + "' has no report until its runs ended: it is " +
                                   std::string{core::to_string(sweep->status)} + " (" +
                                   std::to_string(sweep->progress.queued + sweep->progress.running) + " of " +
                                   std::to_string(sweep->progress.total) + " runs left)");
    }
    co_return render_report(request, sweep_results(*sweep, found.runs), chosen);
}

}  // namespace

void add_sweeps_routes(router& routes, jobs_resource& resource) {
    const auto add = [&routes, &resource](http::verb method, std::string pattern, route_handler handler) {
        add_store_guarded(routes, resource.store_health, method, std::move(pattern), std::move(handler));
    };
    routes.add(http::verb::post, "/sweeps",
               [&resource](const http_request& request, const path_params&) { return post_sweep(resource, request); });
    add(http::verb::get, "/sweeps",
        [&resource](const http_request& request, const path_params&) { return list_sweeps(resource, request); });
    add(http::verb::get, "/sweeps/{id}", [&resource](const http_request& request, const path_params& params) {
        return get_sweep(resource, request, params.at(0));
    });
    add(http::verb::delete_, "/sweeps/{id}", [&resource](const http_request& request, const path_params& params) {
        return cancel_sweep(resource, request, params.at(0));
    });
    add(http::verb::get, "/sweeps/{id}/report", [&resource](const http_request& request, const path_params& params) {
        return get_report(resource, request, params.at(0));
    });
}

}  // namespace chimera::service
