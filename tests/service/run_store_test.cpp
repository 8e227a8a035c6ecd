#include "run_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

core::run_document run_with_id(std::string id) {
    core::run_document run;
    run.id = std::move(id);
    run.model = "gemma3:latest";
    run.data_dir = "bench";
    return run;
}

class run_store_test : public testing::Test {
protected:
    [[nodiscard]] fs::path runs_dir() const { return state_.path() / "state" / "runs"; }

    test::temp_dir state_;
    run_store store_{state_.path() / "state"};
};

TEST_F(run_store_test, creates_runs_directory) { EXPECT_TRUE(fs::is_directory(runs_dir())); }

TEST_F(run_store_test, finds_inserted_run_by_id) {
    auto& inserted = store_.insert(run_with_id("r1"));
    auto* found = store_.find("r1");
    ASSERT_EQ(found, &inserted);
    EXPECT_EQ(found->model, "gemma3:latest");
    EXPECT_EQ(store_.find("r2"), nullptr);
}

TEST_F(run_store_test, updates_through_reference_are_visible) {
    store_.insert(run_with_id("r1")).status = core::run_status::running;
    EXPECT_EQ(store_.find("r1")->status, core::run_status::running);
}

TEST_F(run_store_test, erase_forgets_run) {
    store_.insert(run_with_id("r1"));
    store_.insert(run_with_id("r2"));
    store_.erase("r1");
    store_.erase("never-there");
    EXPECT_EQ(store_.find("r1"), nullptr);
    EXPECT_NE(store_.find("r2"), nullptr);
}

TEST_F(run_store_test, report_is_absent_until_finish) {
    auto& run = store_.insert(run_with_id("r1"));
    EXPECT_EQ(store_.report("r1", report_kind::llm), std::nullopt);
    EXPECT_EQ(store_.report("r1", report_kind::agent), std::nullopt);
    run.status = core::run_status::succeeded;
    store_.finish(run, "# Report\n");
    EXPECT_EQ(store_.report("r1", report_kind::llm), "# Report\n");
    const auto agent = store_.report("r1", report_kind::agent);
    ASSERT_TRUE(agent.has_value());
    EXPECT_EQ(agent->rfind("# Chimera Agent Report\n", 0), 0U);
}

TEST_F(run_store_test, finish_writes_the_run_directory) {
    auto& run = store_.insert(run_with_id("r1"));
    run.status = core::run_status::succeeded;
    store_.finish(run, "# Report\n");

    const auto document = json::parse(test::read_text(runs_dir() / "r1" / "run.json"));
    EXPECT_EQ(document["id"], "r1");
    EXPECT_EQ(document["status"], "succeeded");
    EXPECT_EQ(test::read_text(runs_dir() / "r1" / "report.md"), "# Report\n");
    EXPECT_EQ(json::parse(test::read_text(runs_dir() / "r1" / "metrics.json"))["run_id"], "r1");
}

TEST_F(run_store_test, failed_run_has_an_agent_report_but_no_model_report) {
    auto& run = store_.insert(run_with_id("r1"));
    run.status = core::run_status::failed;
    store_.finish(run, "");
    EXPECT_EQ(json::parse(test::read_text(runs_dir() / "r1" / "run.json"))["status"], "failed");
    EXPECT_EQ(store_.report("r1", report_kind::llm), std::nullopt);
    EXPECT_TRUE(store_.report("r1", report_kind::agent).has_value());
}

TEST_F(run_store_test, reports_only_of_runs_in_the_store) {
    auto& run = store_.insert(run_with_id("r1"));
    store_.finish(run, "# Report\n");
    store_.erase("r1");
    EXPECT_EQ(store_.report("r1", report_kind::llm), std::nullopt);
    EXPECT_EQ(store_.report("..", report_kind::llm), std::nullopt);
}

TEST_F(run_store_test, finish_of_unknown_run_writes_nothing) {
    store_.finish(run_with_id("ghost"), "# Report\n");
    EXPECT_TRUE(fs::is_empty(runs_dir()));
}

}  // namespace
}  // namespace chimera::service
