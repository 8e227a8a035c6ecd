#include "chimera/core/run/run_document.hpp"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "chimera/core/text/enum_names.hpp"
#include "chimera/core/text/optional_json.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

using detail::optional_json;

template <typename T, typename Convert>
[[nodiscard]] json optional_json(const std::optional<T>& value, Convert convert) {
    return value ? json(convert(*value)) : json(nullptr);
}

[[nodiscard]] json ingest_json(const ingest_result& ingest) {
    json errors = json::array();
    for (const auto& error : ingest.errors) errors.push_back({{"file", error.file}, {"error", error.error}});
    return {
        {"files", ingest.files},
        {"bytes", ingest.bytes},
        {"by_type", {{"csv", ingest.csv_files}, {"json", ingest.json_files}, {"markdown", ingest.markdown_files}}},
        {"errors", std::move(errors)},
        {"seconds", ingest.seconds},
    };
}

[[nodiscard]] json engine_json(const engine_identity& engine) {
    return {{"backend", engine.backend}, {"kind", to_string(engine.kind)}, {"version", optional_json(engine.version)}};
}

[[nodiscard]] json call_json(const call_metrics& call) {
    return {
        {"stage", to_string(call.stage)},
        {"backend", call.backend},
        {"outcome", to_string(call.outcome)},
        {"error", call.error.empty() ? json(nullptr) : json(call.error)},
        {"attempt_errors", call.attempt_errors},
        {"ttft_ms", call.first_token_arrived ? json(call.ttft_ms) : json(nullptr)},
        {"tokens_per_second", call.tokens_per_second},
        {"tokens_per_second_source",
         optional_json(call.tokens_per_second_source, [](rate_source source) { return to_string(source); })},
        {"tokens_generated", call.tokens_generated},
        {"prompt_tokens", call.prompt_tokens},
        {"prompt_eval_ms", call.prompt_eval_ms},
        {"eval_ms", call.eval_ms},
        {"load_ms", call.load_ms},
        {"total_ms", call.total_ms},
        {"stream_ms", call.stream_ms},
        {"done_reason", call.done_reason},
        {"attempts", call.attempts},
    };
}

[[nodiscard]] json calls_json(const std::vector<call_metrics>& calls) {
    json out = json::array();
    for (const auto& call : calls) out.push_back(call_json(call));
    return out;
}

[[nodiscard]] json analysis_json(const analysis& parsed) {
    return {
        {"summary", parsed.summary},
        {"key_findings", parsed.key_findings},
        {"recommendations", parsed.recommendations},
    };
}

[[nodiscard]] json error_json(const run_error& error) {
    return {{"type", to_string(error.type)}, {"detail", error.detail}};
}

constexpr enum_names<run_status, 5> run_status_names{{{run_status::queued, "queued"},
                                                      {run_status::running, "running"},
                                                      {run_status::succeeded, "succeeded"},
                                                      {run_status::failed, "failed"},
                                                      {run_status::cancelled, "cancelled"}}};

constexpr enum_names<run_stage, 5> run_stage_names{{{run_stage::queued, "queued"},
                                                    {run_stage::ingest, "ingest"},
                                                    {run_stage::analysis, "analysis"},
                                                    {run_stage::report, "report"},
                                                    {run_stage::done, "done"}}};

}  // namespace

std::string_view to_string(run_status status) { return name_of(run_status_names, status); }

std::optional<run_status> parse_run_status(std::string_view text) { return value_named(run_status_names, text); }

bool is_terminal(run_status status) {
    return status == run_status::succeeded || status == run_status::failed || status == run_status::cancelled;
}

std::string_view to_string(run_stage stage) { return name_of(run_stage_names, stage); }

std::string format_rfc3339(wall_time t) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto day = floor<days>(ms);
    const year_month_day date{day};
    const hh_mm_ss time{ms - day};
    std::array<char, 64> buffer{};
    const int length = std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                                     static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                                     static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                                     static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                                     static_cast<int>(time.subseconds().count()));
    return {buffer.data(), static_cast<std::size_t>(length)};
}

nlohmann::json to_json(const stage_timings& timings) {
    return {
        {"ingest_seconds", optional_json(timings.ingest_seconds)},
        {"analysis_seconds", optional_json(timings.analysis_seconds)},
        {"report_seconds", optional_json(timings.report_seconds)},
        {"total_seconds", optional_json(timings.total_seconds)},
    };
}

nlohmann::json to_json(const run_document& run) {
    return {
        {"id", run.id},
        {"status", to_string(run.status)},
        {"stage", to_string(run.stage)},
        {"attempt", run.attempt},
        {"handed_back", run.handed_back},
        {"executed_by", run.executed_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.executed_by)},
        {"model", run.model},
        {"options", to_json(run.options)},
        {"label", optional_json(run.label)},
        {"backend", optional_json(run.backend)},
        {"engine", optional_json(run.engine, engine_json)},
        {"request_id", optional_json(run.request_id)},
        {"data_dir", run.data_dir},
        {"created_at", format_rfc3339(run.created_at)},
        {"started_at", optional_json(run.started_at, format_rfc3339)},
        {"finished_at", optional_json(run.finished_at, format_rfc3339)},
        {"error", optional_json(run.error, error_json)},
        {"ingest", optional_json(run.ingest, ingest_json)},
        {"calls", calls_json(run.calls)},
        {"timings", to_json(run.timings)},
        {"analysis", optional_json(run.parsed_analysis, analysis_json)},
        {"links", {{"self", "/runs/" + run.id}, {"report", "/runs/" + run.id + "/report"}}},
    };
}

}  // namespace chimera::core
