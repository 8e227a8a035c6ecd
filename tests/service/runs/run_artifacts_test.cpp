#include "chimera/runs/run_artifacts.hpp"

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chimera/core/run/agent_report_renderer.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::run_document finished_run(core::run_status status) {
    core::run_document run;
    run.id = "r1";
    run.status = status;
    run.model = "gemma3:latest";
    run.options.num_ctx = 512;
    run.data_dir = "bench";
    core::call_metrics call;
    call.tokens_generated = 900;
    call.eval_ms = 9000;
    run.calls = {call};
    return run;
}

class run_artifacts_test : public testing::Test {
protected:
    [[nodiscard]] fs::path run_dir() const { return state_.path() / "runs" / "r1"; }

    void write(const core::run_document& run, std::string_view report) const {
        artifacts_.write(run, report, core::render_agent_report(run));
    }

    test::temp_dir state_;
    run_artifacts artifacts_{state_.path() / "runs"};
};

TEST_F(run_artifacts_test, creates_the_runs_directory) { EXPECT_TRUE(fs::is_directory(state_.path() / "runs")); }

TEST_F(run_artifacts_test, writes_every_document_of_a_succeeded_run_into_its_directory) {
    write(finished_run(core::run_status::succeeded), "# Chimera Technical Report\n");

    EXPECT_EQ(test::read_text(run_dir() / "report.md"), "# Chimera Technical Report\n");
    const auto agent_report = test::read_text(run_dir() / "agent_report.md");
    EXPECT_EQ(agent_report.rfind("# Chimera Agent Report\n", 0), 0U);
    EXPECT_NE(agent_report.find("| Average Throughput | 100.00 tok/s |"), std::string::npos);
    const auto metrics = json::parse(test::read_text(run_dir() / "metrics.json"));
    EXPECT_EQ(metrics.at("run_id"), "r1");
    EXPECT_EQ(metrics.at("configuration"), json({{"num_ctx", 512}}));
    EXPECT_DOUBLE_EQ(metrics.at("aggregate_metrics").at("average_tokens_per_second").get<double>(), 100);
    const auto document = json::parse(test::read_text(run_dir() / "run.json"));
    EXPECT_EQ(document.at("id"), "r1");
    EXPECT_EQ(document.at("status"), "succeeded");
}

TEST_F(run_artifacts_test, leaves_no_partial_file_behind) {
    write(finished_run(core::run_status::succeeded), "# Report\n");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(run_dir())) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"agent_report.md", "metrics.json", "report.md", "run.json"}));
}

TEST_F(run_artifacts_test, a_run_without_model_report_gets_the_others) {
    write(finished_run(core::run_status::failed), "");
    EXPECT_FALSE(fs::exists(run_dir() / "report.md"));
    EXPECT_TRUE(fs::exists(run_dir() / "agent_report.md"));
    EXPECT_EQ(json::parse(test::read_text(run_dir() / "metrics.json")).at("status"), "failed");
    EXPECT_EQ(json::parse(test::read_text(run_dir() / "run.json")).at("status"), "failed");
}

TEST_F(run_artifacts_test, rewriting_a_run_replaces_its_files) {
    write(finished_run(core::run_status::succeeded), "first\n");
    write(finished_run(core::run_status::succeeded), "second\n");
    EXPECT_EQ(test::read_text(run_dir() / "report.md"), "second\n");
}

TEST(write_run_artifacts, writes_into_the_given_directory) {
    test::temp_dir out;
    const auto run = finished_run(core::run_status::succeeded);
    write_run_artifacts(out.path() / "run_1", run, "# LLM\n", core::render_agent_report(run));
    EXPECT_EQ(test::read_text(out.path() / "run_1" / "report.md"), "# LLM\n");
    EXPECT_TRUE(fs::exists(out.path() / "run_1" / "metrics.json"));
}

}  // namespace
}  // namespace chimera::service
