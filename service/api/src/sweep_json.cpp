#include "sweep_json.hpp"

#include <nlohmann/json.hpp>

#include "chimera/http/listing_query.hpp"

namespace chimera::service {
namespace {

nlohmann::json optional_time(const std::optional<core::wall_time>& t) {
    return t ? nlohmann::json(core::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json progress_json(const sweep_progress& progress) {
    return {{"total", progress.total},         {"queued", progress.queued}, {"running", progress.running},
            {"succeeded", progress.succeeded}, {"failed", progress.failed}, {"cancelled", progress.cancelled}};
}

nlohmann::json summary_json(const stored_sweep& sweep) {
    return {
        {"id", sweep.id},
        {"status", core::to_string(sweep.status)},
        {"model", sweep.model},
        {"label", sweep.label ? nlohmann::json(*sweep.label) : nlohmann::json(nullptr)},
        {"created_at", core::format_rfc3339(sweep.created_at)},
        {"started_at", optional_time(sweep.started_at)},
        {"finished_at", optional_time(sweep.finished_at)},
        {"progress", progress_json(sweep.progress)},
        {"links",
         {{"self", "/sweeps/" + sweep.id},
          {"runs", "/runs?label=sweep:" + sweep.id},
          {"report", "/sweeps/" + sweep.id + "/report"}}},
    };
}

/// Why the parameter is refused, or "" when it was applied.
std::string apply(sweep_filter& filter, const std::string& name, const std::string& value) {
    if (name == "status") {
        filter.status = core::parse_run_status(value);
        if (!filter.status) return "status must be queued, running, succeeded, failed or cancelled";
    } else if (auto page = apply_page_parameter(filter.limit, filter.before_seq, name, value)) {
        return std::move(*page);
    } else {
        return "unknown query parameter (known: status, limit, cursor)";
    }
    return {};
}

}  // namespace

nlohmann::json sweep_document_json(const stored_sweep& sweep, nlohmann::json results) {
    auto document = summary_json(sweep);
    document["spec"] = nlohmann::json::parse(sweep.spec, nullptr, false);
    document["results"] = std::move(results);
    return document;
}

std::variant<sweep_filter, query_error> parse_sweep_filter(std::string_view target) {
    return parse_listing_query<sweep_filter>(target, apply);
}

nlohmann::json sweep_page_json(sweep_store& store, const sweep_filter& filter) {
    auto one_more = filter;
    ++one_more.limit;
    return page_json("sweeps", store.list_sweeps(one_more), filter.limit, summary_json);
}

}  // namespace chimera::service
