#pragma once

#include "chimera/core/run/run_document.hpp"

namespace chimera::core::test {

/// A finished run with round figures, so tests can state the expected aggregates exactly:
/// two calls (1000 tokens in 10 s, 1500 tokens in 12.5 s; TTFT 3800 and 200 ms).
inline run_document two_call_run() {
    using namespace std::chrono;
    run_document run;
    run.id = "0d9e3f7a-1b2c-4d5e-8f60-718293a4b5c6";
    run.status = run_status::succeeded;
    run.stage = run_stage::done;
    run.model = "gemma3:latest";
    run.options.num_gpu = 80;
    run.options.num_ctx = 512;
    run.options.temperature = 0.8;
    run.label = "tuned|ctx512";
    run.data_dir = "tr109";
    run.created_at = wall_time(sys_days(2026y / November / 27)) + 17h;
    run.started_at = run.created_at + 5ms;
    run.finished_at = run.created_at + 27500ms;
    ingest_result ingest;
    ingest.files = 101;
    ingest.bytes = 429472;
    ingest.csv_files = 28;
    ingest.json_files = 44;
    ingest.markdown_files = 29;
    ingest.csv_rows = 1200;
    ingest.markdown_headings = 310;
    ingest.markdown_tables = 41;
    ingest.first_csv = {"tr109/a.csv"};
    ingest.metrics = {{"tr109/a.json", "tokens_per_second", 98.5}};
    ingest.errors = {{"x/bad.json", "empty file"}};
    ingest.error_count = 1;
    ingest.seconds = 0.0042;
    run.ingest = ingest;
    call_metrics analysis_call;
    analysis_call.stage = call_stage::analysis;
    analysis_call.backend = "default";
    analysis_call.ttft_ms = 3800;
    analysis_call.tokens_per_second = 100;
    analysis_call.tokens_generated = 1000;
    analysis_call.prompt_tokens = 900;
    analysis_call.load_ms = 3500;
    analysis_call.prompt_eval_ms = 250;
    analysis_call.eval_ms = 10000;
    analysis_call.total_ms = 13800;
    analysis_call.stream_ms = 13850.5;
    analysis_call.done_reason = "stop";
    call_metrics report_call;
    report_call.stage = call_stage::report;
    report_call.backend = "default";
    report_call.ttft_ms = 200;
    report_call.tokens_per_second = 120;
    report_call.tokens_generated = 1500;
    report_call.prompt_tokens = 1100;
    report_call.load_ms = 5;
    report_call.prompt_eval_ms = 180;
    report_call.eval_ms = 12500;
    report_call.total_ms = 13000;
    report_call.stream_ms = 13020.25;
    report_call.done_reason = "length";
    report_call.attempts = 2;
    run.calls = {analysis_call, report_call};
    run.timings.ingest_seconds = 0.0042;
    run.timings.analysis_seconds = 14.25;
    run.timings.report_seconds = 13.1;
    run.timings.total_seconds = 27.5;
    run.parsed_analysis = analysis{"Decode is steady at about 100 tok/s.",
                                   {"Throughput 111 tok/s", "Cold start costs 3.5 s"},
                                   {"Keep the model loaded"}};
    return run;
}

/// A run that failed in ingest: no calls, no analysis.
inline run_document failed_run() {
    using namespace std::chrono;
    run_document run;
    run.id = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
    run.status = run_status::failed;
    run.stage = run_stage::ingest;
    run.model = "gemma3:latest";
    run.data_dir = "missing";
    run.created_at = wall_time(sys_days(2026y / November / 27)) + 18h;
    run.started_at = run.created_at + 2ms;
    run.finished_at = run.created_at + 9ms;
    run.error = run_error{failure_type::ingest_failed, "cannot read the data directory"};
    run.timings.total_seconds = 0.007;
    return run;
}

}  // namespace chimera::core::test
