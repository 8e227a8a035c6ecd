#include "run_list.hpp"

#include <nlohmann/json.hpp>

namespace chimera::service {
namespace {

constexpr std::size_t max_page_size = 500;

/// Why the parameter is refused, or "" when it was applied.
std::string apply(run_filter& filter, const std::string& name, const std::string& value) {
    if (name == "status") {
        filter.status = core::parse_run_status(value);
        if (!filter.status) return "status must be queued, running, succeeded, failed or cancelled";
    } else if (name == "label") {
        filter.label = value;
    } else if (name == "model") {
        filter.model = value;
    } else if (name == "limit") {
        const auto limit = parse_query_integer<std::size_t>(value);
        if (!limit || *limit < 1 || *limit > max_page_size) return "limit must be from 1 to 500";
        filter.limit = *limit;
    } else if (name == "cursor") {
        filter.before_seq = parse_query_integer<std::int64_t>(value);
        if (!filter.before_seq || *filter.before_seq < 1) {
            return "cursor must be a next_cursor value from an earlier page";
        }
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
        {"model", run.model},
        {"label", run.label ? nlohmann::json(*run.label) : nlohmann::json(nullptr)},
        {"created_at", core::format_rfc3339(run.created_at)},
        {"finished_at", optional_time(run.finished_at)},
        {"error", run.error ? nlohmann::json{{"type", run.error->type}, {"detail", run.error->detail}}
                            : nlohmann::json(nullptr)},
        {"links", {{"self", "/runs/" + run.id}}},
    };
}

}  // namespace

std::variant<run_filter, query_error> parse_run_filter(std::string_view target) {
    auto params = parse_query(target);
    if (auto* error = std::get_if<query_error>(&params)) return std::move(*error);
    run_filter filter;
    for (const auto& [name, value] : std::get<query_params>(params)) {
        auto detail = apply(filter, name, value);
        if (!detail.empty()) return query_error{name, std::move(detail)};
    }
    return filter;
}

nlohmann::json run_page_json(run_store& store, const run_filter& filter) {
    auto one_more = filter;
    ++one_more.limit;  // tells whether a next page exists without a second query
    auto runs = store.list(one_more);
    nlohmann::json next_cursor = nullptr;
    if (runs.size() > filter.limit) {
        runs.resize(filter.limit);
        next_cursor = std::to_string(runs.back().seq);
    }
    auto items = nlohmann::json::array();
    for (const auto& run : runs) items.push_back(summary_json(run));
    return {{"runs", std::move(items)}, {"next_cursor", std::move(next_cursor)}};
}

}  // namespace chimera::service
