// Rendering what a finished run produces, per run: report.md (the model's report under its
// header), agent_report.md (metrics tables, timings, data summary, findings) and the run
// document's JSON (GET /runs/{id}, run.json). The run is realistic: the ingest of the
// reference corpus (tests/data/tr109: 101 files, its harvested metrics and errors), two calls,
// and a model report from tests/data/llm_samples with the analysis parsed from it.
#include <fstream>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/llm/analysis.hpp"
#include "chimera/core/run/agent_report_renderer.hpp"
#include "chimera/core/run/report_renderer.hpp"
#include "chimera/core/run/run_document.hpp"

namespace {

using namespace chimera::core;

std::string model_report() {
    std::ifstream in(CHIMERA_TEST_DATA_DIR "/llm_samples/gemma3_gpu60_ctx256_temp0p6_chimera_report.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

call_metrics call(call_stage stage, double ttft_ms, std::int64_t tokens) {
    call_metrics metrics;
    metrics.stage = stage;
    metrics.ttft_ms = ttft_ms;
    metrics.tokens_generated = tokens;
    metrics.tokens_per_second = 101.7;
    metrics.prompt_tokens = 1180;
    metrics.load_ms = 312.5;
    metrics.prompt_eval_ms = 181.25;
    metrics.eval_ms = static_cast<double>(tokens) / 101.7 * 1e3;
    metrics.total_ms = metrics.eval_ms + 500;
    metrics.stream_ms = metrics.total_ms + 1.5;
    metrics.done_reason = "stop";
    return metrics;
}

run_document finished_run(const std::string& report_text) {
    using namespace std::chrono;
    run_document run;
    run.id = "0d9e3f7a-1b2c-4d5e-8f60-718293a4b5c6";
    run.status = run_status::succeeded;
    run.stage = run_stage::done;
    run.attempt = 1;
    run.model = "gemma3:latest";
    run.options.num_gpu = 60;
    run.options.num_ctx = 256;
    run.options.temperature = 0.6;
    run.label = "chimera|gpu60|ctx256";
    run.data_dir = "tr109";
    run.created_at = wall_time(sys_days(2026y / November / 27)) + 17h;
    run.started_at = run.created_at + 5ms;
    run.finished_at = run.created_at + 27500ms;
    run.ingest = ingest_directory(CHIMERA_TEST_DATA_DIR "/tr109");
    run.calls = {call(call_stage::analysis, 603.2, 1024), call(call_stage::report, 210.4, 1536)};
    run.timings = {run.ingest->seconds, 10.6, 15.9, 27.5};
    run.parsed_analysis = parse_analysis(report_text);
    return run;
}

void render_report_md(benchmark::State& state) {
    const auto text = model_report();
    const auto run = finished_run(text);
    for (auto _ : state) benchmark::DoNotOptimize(render_report(run, text));
}

void render_agent_report_md(benchmark::State& state) {
    const auto run = finished_run(model_report());
    for (auto _ : state) benchmark::DoNotOptimize(render_agent_report(run));
}

void render_run_document_json(benchmark::State& state) {
    const auto run = finished_run(model_report());
    for (auto _ : state) {
        benchmark::DoNotOptimize(to_json(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
}

}  // namespace

BENCHMARK(render_report_md)->Unit(benchmark::kMicrosecond);
BENCHMARK(render_agent_report_md)->Unit(benchmark::kMicrosecond);
BENCHMARK(render_run_document_json)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
