#include "run_list.hpp"

#include <nlohmann/json.hpp>

#include "chimera/http/listing_query.hpp"

namespace chimera::service {
namespace {

/// Why the parameter is refused, or "" when it was applied.
std::string apply(run_filter& filter, const std::string& name, const std::string& value) {
    if (name == "status") {
        filter.status = core::parse_run_status(value);
        if (!filter.status) return "status must be queued, running, succeeded, failed or cancelled";
    } else if (name == "label") {
        filter.label = value;
    } else if (name == "model") {
        filter.model = value;
    } else if (auto page = apply_page_parameter(filter.limit, filter.before_seq, name, value)) {
        return std::move(*page);
    } else {
        return "unknown query parameter (known: status, label, model, limit, cursor)";
    }
    return {};
}

nlohmann::json optional_time(const std::optional<core::wall_time>& t) {
    return t ? nlohmann::json(core::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const stored_run& run) {
    return {
        {"id", run.id},
        {"status", core::to_string(run.status)},
        {"attempt", run.attempt},
        {"handed_back", run.handbacks},
        {"model", run.model},
        {"label", run.label ? nlohmann::json(*run.label) : nlohmann::json(nullptr)},
        {"created_at", core::format_rfc3339(run.created_at)},
        {"finished_at", optional_time(run.finished_at)},
        {"error", run.error ? nlohmann::json{{"type", core::to_string(run.error->type)}, {"detail", run.error->detail}}
                            : nlohmann::json(nullptr)},
        {"links", {{"self", "/runs/" + run.id}}},
    };
}

}  // namespace

std::variant<run_filter, query_error> parse_run_filter(std::string_view target) {
    return parse_listing_query<run_filter>(target, apply);
}

nlohmann::json run_page_json(run_store& store, const run_filter& filter) {
    auto one_more = filter;
    ++one_more.limit;
    return page_json("runs", store.list(one_more), filter.limit, summary_json);
}

}  // namespace chimera::service
