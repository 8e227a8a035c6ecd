#include "sweep_json.hpp"

#include <nlohmann/json.hpp>

namespace chimera::service {
namespace {

constexpr std::size_t max_page_size = 500;

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
    auto params = parse_query(target);
    if (auto* error = std::get_if<query_error>(&params)) return std::move(*error);
    sweep_filter filter;
    for (const auto& [name, value] : std::get<query_params>(params)) {
        auto detail = apply(filter, name, value);
        if (!detail.empty()) return query_error{name, std::move(detail)};
    }
    return filter;
}

nlohmann::json sweep_page_json(sweep_store& store, const sweep_filter& filter) {
    auto one_more = filter;
    ++one_more.limit;  // tells whether a next page exists without a second query
    auto sweeps = store.list_sweeps(one_more);
    nlohmann::json next_cursor = nullptr;
    if (sweeps.size() > filter.limit) {
        sweeps.resize(filter.limit);
        next_cursor = std::to_string(sweeps.back().seq);
    }
    auto items = nlohmann::json::array();
    for (const auto& sweep : sweeps) items.push_back(summary_json(sweep));
    return {{"sweeps", std::move(items)}, {"next_cursor", std::move(next_cursor)}};
}

}  // namespace chimera::service
