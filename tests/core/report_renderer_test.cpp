#include "chimera/core/report_renderer.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

using namespace std::chrono;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

run_document sample_run() {
    run_document run;
    run.id = "r-42";
    run.status = run_status::succeeded;
    run.stage = run_stage::done;
    run.model = "gemma3:latest";
    run.label = "a|b";
    run.started_at = wall_time(sys_days(2026y / November / 27)) + 17h;
    ingest_result ingest;
    ingest.files = 101;
    ingest.bytes = 429472;
    ingest.csv_files = 28;
    ingest.json_files = 44;
    ingest.markdown_files = 29;
    ingest.errors = {{"x/bad.json", "empty file"}};
    run.ingest = ingest;
    call_metrics call;
    call.stage = call_stage::analysis;
    call.ttft_ms = 3828.456;
    call.tokens_per_second = 98.8;
    call.tokens_generated = 1512;
    call.prompt_tokens = 903;
    call.load_ms = 3543;
    call.prompt_eval_ms = 281.5;
    call.eval_ms = 15303.1;
    call.total_ms = 19127.25;
    run.calls = {call};
    run.timings.ingest_seconds = 0.0042;
    run.timings.total_seconds = 38.5;
    run.parsed_analysis = analysis{"Decode is steady.", {"98.8 tok/s"}, {"Keep the model loaded"}};
    return run;
}

TEST(report_renderer, renders_facts_ingest_calls_timings_analysis_and_the_report) {
    const auto report = render_report(sample_run(), "## Executive Summary\nAll fine.\n");
    EXPECT_EQ(report.rfind("# Chimera Technical Report\n", 0), 0U);
    EXPECT_TRUE(contains(report, "| Run | r-42 |\n"));
    EXPECT_TRUE(contains(report, "| Model | gemma3:latest |\n"));
    EXPECT_TRUE(contains(report, "| Options | Ollama defaults |\n"));
    EXPECT_TRUE(contains(report, "| Label | a\\|b |\n"));
    EXPECT_TRUE(contains(report, "| Started | 2026-11-27T17:00:00.000Z |\n"));
    EXPECT_TRUE(contains(report, "| Finished | — |\n"));
    EXPECT_TRUE(contains(report, "| Status | succeeded |\n"));
    EXPECT_TRUE(contains(report, "- Files: 101 (28 CSV, 44 JSON, 29 Markdown)\n"));
    EXPECT_TRUE(contains(report, "- Bytes: 429472\n"));
    EXPECT_TRUE(contains(report, "  - `x/bad.json`: empty file\n"));
    EXPECT_TRUE(
        contains(report, "| analysis | 3828.46 | 98.80 | 1512 | 903 | 3543.00 | 281.50 | 15303.10 | 19127.25 |\n"));
    EXPECT_TRUE(contains(report, "| Ingest | 0.00 |\n"));
    EXPECT_TRUE(contains(report, "| Analysis | — |\n"));
    EXPECT_TRUE(contains(report, "| Total | 38.50 |\n"));
    EXPECT_TRUE(contains(report, "### Summary\n\nDecode is steady.\n"));
    EXPECT_TRUE(contains(report, "### Key Findings\n\n- 98.8 tok/s\n"));
    EXPECT_TRUE(contains(report, "### Recommendations\n\n- Keep the model loaded\n"));
    const auto tail = std::string("\n## Report\n\n## Executive Summary\nAll fine.\n");
    ASSERT_GE(report.size(), tail.size());
    EXPECT_EQ(report.substr(report.size() - tail.size()), tail);
}

TEST(report_renderer, sections_come_in_order) {
    const auto report = render_report(sample_run(), "text");
    std::size_t last = 0;
    for (const char* heading : {"## Data Ingestion", "## LLM Calls", "## Stage Timings", "## Analysis", "## Report"}) {
        const auto at = report.find(std::string("\n") + heading + "\n");
        ASSERT_NE(at, std::string::npos) << heading;
        EXPECT_GT(at, last) << heading;
        last = at;
    }
}

TEST(report_renderer, lists_the_set_options) {
    run_document run = sample_run();
    run.options.num_gpu = 80;
    run.options.temperature = 0.8;
    run.options.seed = 9007199254740993;  // not representable as a double
    EXPECT_TRUE(contains(render_report(run, ""), "| Options | num_gpu=80, temperature=0.8, seed=9007199254740993 |\n"));
}

TEST(report_renderer, says_what_is_missing_for_a_run_that_failed_early) {
    run_document run;
    run.id = "r-1";
    run.status = run_status::failed;
    run.error = run_error{"ingest_failed", "no such directory"};
    const auto report = render_report(run, "");
    EXPECT_TRUE(contains(report, "| Error | ingest_failed: no such directory |\n"));
    EXPECT_TRUE(contains(report, "No ingest recorded."));
    EXPECT_TRUE(contains(report, "No analysis recorded."));
    EXPECT_EQ(report.substr(report.size() - 11), "## Report\n\n");
}

}  // namespace
}  // namespace chimera::core
