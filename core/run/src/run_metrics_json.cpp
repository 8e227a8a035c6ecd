#include "chimera/core/run/run_metrics_json.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "chimera/core/run/run_aggregate.hpp"
#include "chimera/core/text/optional_json.hpp"

namespace chimera::core {
namespace {

using detail::optional_json;
using nlohmann::json;

[[nodiscard]] json stat_json(const std::optional<descriptive_stats>& stats,
                             std::optional<double> descriptive_stats::*field) {
    return stats ? optional_json((*stats).*field) : json(nullptr);
}

[[nodiscard]] json aggregate_json(const run_aggregate& total) {
    return {
        {"calls", total.calls},
        {"attempts", total.attempts},
        {"average_tokens_per_second", optional_json(total.tokens_per_second)},
        {"average_ttft_ms", total.ttft_ms ? json(total.ttft_ms->mean) : json(nullptr)},
        {"stddev_throughput", stat_json(total.call_tokens_per_second, &descriptive_stats::stddev)},
        {"stddev_ttft", stat_json(total.ttft_ms, &descriptive_stats::stddev)},
        {"cv_throughput_pct", stat_json(total.call_tokens_per_second, &descriptive_stats::cv_percent)},
        {"cv_ttft_pct", stat_json(total.ttft_ms, &descriptive_stats::cv_percent)},
        {"total_tokens_generated", total.tokens_generated},
        {"total_prompt_tokens", total.prompt_tokens},
        {"total_duration_ms", total.total_ms},
        {"prompt_eval_duration_ms", total.prompt_eval_ms},
        {"eval_duration_ms", total.eval_ms},
        {"load_duration_ms", total.load_ms},
    };
}

[[nodiscard]] json call_json(const call_metrics& call) {
    return {
        {"stage", to_string(call.stage)},
        {"backend", call.backend},
        {"outcome", to_string(call.outcome)},
        {"error", call.error.empty() ? json(nullptr) : json(call.error)},
        {"ttft_ms", call.first_token_arrived ? json(call.ttft_ms) : json(nullptr)},
        {"throughput_tokens_per_sec", call.tokens_per_second},
        {"tokens_generated", call.tokens_generated},
        {"prompt_tokens", call.prompt_tokens},
        {"load_duration_ms", call.load_ms},
        {"prompt_eval_duration_ms", call.prompt_eval_ms},
        {"eval_duration_ms", call.eval_ms},
        {"total_duration_ms", call.total_ms},
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

[[nodiscard]] json data_summary_json(const std::optional<ingest_result>& ingest) {
    if (!ingest) return nullptr;
    return {
        {"files", ingest->files},
        {"bytes", ingest->bytes},
        {"csv_files", ingest->csv_files},
        {"json_files", ingest->json_files},
        {"markdown_files", ingest->markdown_files},
        {"csv_rows", ingest->csv_rows},
        {"markdown_headings", ingest->markdown_headings},
        {"markdown_tables", ingest->markdown_tables},
        {"harvested_metrics", std::max(ingest->metrics_harvested, ingest->metrics.size())},
        {"errors", std::max(ingest->error_count, ingest->errors.size())},
        {"seconds", ingest->seconds},
    };
}

[[nodiscard]] json error_json(const std::optional<run_error>& error) {
    return error ? json{{"type", to_string(error->type)}, {"detail", error->detail}} : json(nullptr);
}

}  // namespace

json run_metrics_json(const run_document& run) {
    return {
        {"run_id", run.id},
        {"model", run.model},
        {"label", optional_json(run.label)},
        {"status", to_string(run.status)},
        {"timestamp", format_rfc3339(run.finished_at.value_or(run.created_at))},
        {"configuration", to_json(run.options)},
        {"aggregate_metrics", aggregate_json(aggregate_calls(run.calls))},
        {"individual_calls", calls_json(run.calls)},
        {"workflow_timings", to_json(run.timings)},
        {"data_summary", data_summary_json(run.ingest)},
        {"error", error_json(run.error)},
    };
}

}  // namespace chimera::core
