#include "chimera/core/run/run_metrics_json.hpp"

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_fixtures.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

TEST(run_metrics_json, aggregates_the_calls_like_the_reference_agents) {
    const auto metrics = run_metrics_json(test::two_call_run());
    const auto& aggregate = metrics.at("aggregate_metrics");
    EXPECT_DOUBLE_EQ(aggregate.at("average_tokens_per_second").get<double>(), 2500.0 / 22.5);
    EXPECT_DOUBLE_EQ(aggregate.at("average_ttft_ms").get<double>(), 2000);
    EXPECT_NEAR(aggregate.at("stddev_ttft").get<double>(), 1800 * std::sqrt(2.0), 1e-9);
    EXPECT_NEAR(aggregate.at("stddev_throughput").get<double>(), std::sqrt(200.0), 1e-9);
    EXPECT_NEAR(aggregate.at("cv_throughput_pct").get<double>(), std::sqrt(200.0) / 110 * 100, 1e-9);
    EXPECT_EQ(aggregate.at("total_tokens_generated"), 2500);
    EXPECT_EQ(aggregate.at("total_prompt_tokens"), 2000);
    EXPECT_DOUBLE_EQ(aggregate.at("total_duration_ms").get<double>(), 26800);
    EXPECT_DOUBLE_EQ(aggregate.at("load_duration_ms").get<double>(), 3505);
    EXPECT_EQ(aggregate.at("calls"), 2);
    EXPECT_EQ(aggregate.at("attempts"), 3);
}

TEST(run_metrics_json, keeps_the_run_facts_and_each_call) {
    const auto metrics = run_metrics_json(test::two_call_run());
    EXPECT_EQ(metrics.at("run_id"), "0d9e3f7a-1b2c-4d5e-8f60-718293a4b5c6");
    EXPECT_EQ(metrics.at("timestamp"), "2026-11-27T17:00:27.500Z");
    EXPECT_EQ(metrics.at("configuration"), json({{"num_gpu", 80}, {"num_ctx", 512}, {"temperature", 0.8}}));
    ASSERT_EQ(metrics.at("individual_calls").size(), 2U);
    const auto& report_call = metrics.at("individual_calls").at(1);
    EXPECT_EQ(report_call.at("stage"), "report");
    EXPECT_DOUBLE_EQ(report_call.at("throughput_tokens_per_sec").get<double>(), 120);
    EXPECT_DOUBLE_EQ(report_call.at("stream_ms").get<double>(), 13020.25);
    EXPECT_EQ(report_call.at("attempts"), 2);
    EXPECT_DOUBLE_EQ(metrics.at("workflow_timings").at("analysis_seconds").get<double>(), 14.25);
    EXPECT_EQ(metrics.at("data_summary").at("files"), 101);
    EXPECT_EQ(metrics.at("data_summary").at("harvested_metrics"), 1);
    EXPECT_TRUE(metrics.at("error").is_null());
}

TEST(run_metrics_json, a_failed_run_has_nulls_where_nothing_was_measured) {
    const auto metrics = run_metrics_json(test::failed_run());
    EXPECT_EQ(metrics.at("status"), "failed");
    EXPECT_EQ(metrics.at("error"), json({{"type", "ingest_failed"}, {"detail", "cannot read the data directory"}}));
    EXPECT_EQ(metrics.at("configuration"), json::object());
    EXPECT_TRUE(metrics.at("aggregate_metrics").at("average_tokens_per_second").is_null());
    EXPECT_TRUE(metrics.at("aggregate_metrics").at("average_ttft_ms").is_null());
    EXPECT_TRUE(metrics.at("aggregate_metrics").at("stddev_ttft").is_null());
    EXPECT_TRUE(metrics.at("individual_calls").empty());
    EXPECT_TRUE(metrics.at("data_summary").is_null());
    EXPECT_TRUE(metrics.at("workflow_timings").at("ingest_seconds").is_null());
}

/// The contract's examples are this code's output, so the schema is checked (by the
/// api_contract test) against what the service really writes.
TEST(run_metrics_json, matches_the_contract_examples) {
    const auto succeeded = json::parse(test::read_text(test::api_dir() / "examples" / "metrics.json"));
    EXPECT_EQ(run_metrics_json(test::two_call_run()), succeeded) << run_metrics_json(test::two_call_run()).dump(2);
    const auto failed = json::parse(test::read_text(test::api_dir() / "examples" / "metrics.failed.json"));
    EXPECT_EQ(run_metrics_json(test::failed_run()), failed) << run_metrics_json(test::failed_run()).dump(2);
}

}  // namespace
}  // namespace chimera::core
