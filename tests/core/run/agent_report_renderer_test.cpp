#include "chimera/core/run/agent_report_renderer.hpp"

#include <gtest/gtest.h>

#include "run_fixtures.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::contains;

/// The text between `## heading` and the next `## ` heading.
std::string section(const std::string& report, std::string_view heading) {
    const auto title = "\n## " + std::string(heading) + "\n";
    const auto begin = report.find(title);
    if (begin == std::string::npos) return {};
    const auto end = report.find("\n## ", begin + title.size());
    return report.substr(begin + title.size(),
                         end == std::string::npos ? std::string::npos : end - begin - title.size());
}

class agent_report : public testing::Test {
protected:
    std::string report_ = render_agent_report(test::two_call_run());
};

TEST_F(agent_report, sections_come_in_the_reference_order) {
    EXPECT_EQ(report_.rfind("# Chimera Agent Report\n\n", 0), 0U);
    std::size_t last = 0;
    for (const char* heading : {"Configuration", "Aggregate Metrics", "Per-Call Metrics", "Workflow Timings",
                                "Data Summary", "Findings", "Recommendations"}) {
        const auto at = report_.find("\n## " + std::string(heading) + "\n");
        ASSERT_NE(at, std::string::npos) << heading;
        EXPECT_GT(at, last) << heading;
        last = at;
    }
}

TEST_F(agent_report, header_names_the_run) {
    EXPECT_TRUE(contains(report_, "**Run:** 0d9e3f7a-1b2c-4d5e-8f60-718293a4b5c6  \n"));
    EXPECT_TRUE(contains(report_, "**Model:** gemma3:latest  \n"));
    EXPECT_TRUE(contains(report_, "**Status:** succeeded  \n"));
    EXPECT_TRUE(contains(report_, "**Label:** tuned\\|ctx512  \n"));
    EXPECT_TRUE(contains(report_, "**Data directory:** tr109  \n"));
    EXPECT_TRUE(contains(report_, "**Started:** 2026-11-27T17:00:00.005Z  \n"));
    EXPECT_TRUE(contains(report_, "**Finished:** 2026-11-27T17:00:27.500Z\n"));
    EXPECT_FALSE(contains(report_, "**Error:**"));
    EXPECT_EQ(section(report_, "Configuration"), "\nnum_gpu=80, num_ctx=512, temperature=0.8\n");
}

TEST_F(agent_report, aggregates_the_calls) {
    // 2500 tokens in 22.5 s of eval; TTFT 3800 and 200 ms; per-call 100 and 120 tok/s.
    const auto table = section(report_, "Aggregate Metrics");
    EXPECT_TRUE(contains(table, "| Average Throughput | 111.11 tok/s |\n"));
    EXPECT_TRUE(contains(table, "| Average TTFT | 2000.00 ± 2545.58 ms |\n"));
    EXPECT_TRUE(contains(table, "| Total Tokens Generated | 2500 |\n"));
    EXPECT_TRUE(contains(table, "| Total Prompt Tokens | 2000 |\n"));
    EXPECT_TRUE(contains(table, "| Total Duration | 26800.00 ms |\n"));
    EXPECT_TRUE(contains(table, "| Prompt Eval Duration | 430.00 ms |\n"));
    EXPECT_TRUE(contains(table, "| Eval Duration | 22500.00 ms |\n"));
    EXPECT_TRUE(contains(table, "| Load Duration | 3505.00 ms |\n"));
    EXPECT_TRUE(contains(table, "| Throughput CV (across calls) | 12.9% |\n"));
    EXPECT_TRUE(contains(table, "| TTFT CV (across calls) | 127.3% |\n"));
    EXPECT_TRUE(contains(table, "| LLM Calls | 2 (3 attempts) |\n"));
}

TEST_F(agent_report, lists_each_call) {
    const auto table = section(report_, "Per-Call Metrics");
    EXPECT_TRUE(contains(table,
                         "| 1 | analysis | 3800.00 | 100.00 | 1000 | 900 | 3500.00 | 250.00 | 10000.00 | "
                         "13800.00 | 1 | stop |\n"));
    EXPECT_TRUE(contains(table,
                         "| 2 | report | 200.00 | 120.00 | 1500 | 1100 | 5.00 | 180.00 | 12500.00 | "
                         "13000.00 | 2 | length |\n"));
}

TEST_F(agent_report, times_the_workflow_stages) {
    const auto table = section(report_, "Workflow Timings");
    EXPECT_TRUE(contains(table, "| Ingest | 0.004 |\n"));
    EXPECT_TRUE(contains(table, "| Analysis | 14.250 |\n"));
    EXPECT_TRUE(contains(table, "| Report | 13.100 |\n"));
    EXPECT_TRUE(contains(table, "| Total | 27.500 |\n"));
}

TEST_F(agent_report, embeds_the_data_summary_the_model_was_given) {
    const auto summary = section(report_, "Data Summary");
    EXPECT_EQ(summary.rfind("\n```text\nTotal files analysed: 101 (429472 bytes)\n", 0), 0U);
    EXPECT_TRUE(contains(summary, "  - x/bad.json: empty file\n"));
    EXPECT_TRUE(contains(summary, "- tr109/a.json: tokens_per_second = 98.5\n"));
    EXPECT_EQ(summary.substr(summary.size() - 4), "```\n");
}

TEST_F(agent_report, ends_with_findings_and_recommendations) {
    EXPECT_EQ(section(report_, "Findings"),
              "\nDecode is steady at about 100 tok/s.\n\n- Throughput 111 tok/s\n- Cold start costs 3.5 s\n");
    EXPECT_EQ(section(report_, "Recommendations"), "\n- Keep the model loaded\n");
}

TEST(agent_report_hostile_text, control_characters_from_files_and_the_model_are_shown_not_sent) {
    auto run = test::two_call_run();
    run.ingest->first_csv = {"evil\x1b]0;pwned\x07.csv", "a\n```\n# Forged heading\n.csv"};
    run.parsed_analysis->key_findings.push_back("\x1b[2Jcleared your screen");
    run.label = "a|b\x1b[31m";
    const auto report = render_agent_report(run);
    EXPECT_EQ(report.find('\x1b'), std::string::npos);
    EXPECT_EQ(report.find('\x07'), std::string::npos);
    EXPECT_TRUE(contains(report, "evil\u241b]0;pwned\u2407.csv")) << report;
    EXPECT_TRUE(contains(report, "- \u241b[2Jcleared your screen")) << report;
    EXPECT_TRUE(contains(report, "**Label:** a\\|b\u241b[31m")) << report;
    EXPECT_FALSE(contains(report, "\n# Forged heading")) << report;
    EXPECT_TRUE(contains(report, "  - a\u240a```\u240a# Forged heading\u240a.csv\n")) << report;
}

TEST(agent_report_failed_run, shows_the_error_and_what_is_missing) {
    const auto report = render_agent_report(test::failed_run());
    EXPECT_TRUE(contains(report, "**Status:** failed  \n**Error:** ingest_failed: cannot read the data directory  \n"));
    EXPECT_EQ(section(report, "Configuration"), "\nOllama defaults\n");
    const auto aggregate = section(report, "Aggregate Metrics");
    EXPECT_TRUE(contains(aggregate, "| Average Throughput | — |\n"));
    EXPECT_TRUE(contains(aggregate, "| Average TTFT | — |\n"));
    EXPECT_TRUE(contains(aggregate, "| TTFT CV (across calls) | — |\n"));
    EXPECT_TRUE(contains(aggregate, "| LLM Calls | 0 (0 attempts) |\n"));
    EXPECT_EQ(section(report, "Per-Call Metrics"), "\nThe run made no LLM call.\n");
    EXPECT_TRUE(contains(section(report, "Workflow Timings"), "| Ingest | — |\n"));
    EXPECT_EQ(section(report, "Data Summary"), "\nNo ingest recorded.\n");
    EXPECT_EQ(section(report, "Recommendations"), "\nNo analysis recorded.\n");
}

TEST(agent_report_failed_call, lists_the_failed_call_with_each_attempt_and_leaves_it_out_of_the_aggregates) {
    auto run = test::two_call_run();
    run.calls.resize(1);
    run.calls.push_back(make_failed_call_metrics({.stage = call_stage::report,
                                                  .attempts = 2,
                                                  .outcome = llm_outcome::midstream_error,
                                                  .error = "mid-stream: boom",
                                                  .attempt_errors = {"HTTP 503: busy"},
                                                  .ttft_ms = 12.5,
                                                  .tokens_streamed = 7,
                                                  .stream_ms = 30}));
    const auto report = render_agent_report(run);
    const auto calls = section(report, "Per-Call Metrics");
    EXPECT_TRUE(contains(calls,
                         "| 2 | report | 12.50 | 0.00 | 7 | 0 | 0.00 | 0.00 | 0.00 | 0.00 | 2 | failed: "
                         "midstream_error |\n"))
        << calls;
    EXPECT_TRUE(contains(calls, "- Call 2, attempt 1 (retried): HTTP 503: busy\n")) << calls;
    EXPECT_TRUE(contains(calls, "- Call 2, attempt 2 (failed the call): mid-stream: boom\n")) << calls;
    const auto aggregate = section(report, "Aggregate Metrics");
    EXPECT_TRUE(contains(aggregate, "| LLM Calls | 1 (3 attempts) |\n")) << aggregate;
    EXPECT_TRUE(contains(aggregate, "| Average TTFT | 3800.00 ms |\n")) << aggregate;
}

TEST(agent_report_single_call, has_no_spread_across_one_call) {
    auto run = test::two_call_run();
    run.calls.resize(1);
    const auto aggregate = section(render_agent_report(run), "Aggregate Metrics");
    EXPECT_TRUE(contains(aggregate, "| Average Throughput | 100.00 tok/s |\n"));
    EXPECT_TRUE(contains(aggregate, "| Average TTFT | 3800.00 ms |\n"));
    EXPECT_TRUE(contains(aggregate, "| Throughput CV (across calls) | — |\n"));
}

}  // namespace
}  // namespace chimera::core
