// The sweep_store contract, run unchanged against every store (store_contract.hpp): a sweep and its runs
// commit together, its runs run alone and in plan order, its cool-down holds the queue, and it cancels as a
// whole.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "store_contract.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using core::run_status;

const core::wall_time sweep_t0 = core::wall_time{} + std::chrono::hours{24 * 365 * 56};

run_submission ordinary(const std::string& id) {
    return {id, "gemma3:latest", std::nullopt, "{}", std::nullopt, sweep_t0, std::nullopt};
}

/// Runs "<id>-0", "<id>-1", … of the given arms, in that order.
sweep_submission sweep(const std::string& id,
                       const std::vector<std::string>& arms,
                       std::chrono::milliseconds cooldown = 0ms) {
    sweep_submission submission{id,       "gemma3:latest", "a study", R"({"grid":{"num_ctx":[256]}})",
                                cooldown, sweep_t0,        {}};
    for (std::size_t i = 0; i < arms.size(); ++i) {
        submission.runs.push_back({id + "-" + std::to_string(i), arms[i], "{}"});
    }
    return submission;
}

class sweep_store_contract_test : public testing::TestWithParam<test::store_kind> {
protected:
    std::optional<stored_run> claim(core::wall_time at) { return store_->claim_next("me", at + 30s, at); }
    std::optional<stored_run> claim() { return claim(clock_); }

    /// Completes the run at `at`, which becomes the fixture's present.
    void finish(const stored_run& run, run_status status, core::wall_time at) {
        clock_ = at;
        ASSERT_TRUE(store_->complete({run.id, run.attempt, status, std::nullopt, at, "{}", "", ""}));
    }
    /// Completes the run a second after the fixture's present.
    void finish(const stored_run& run, run_status status) { finish(run, status, clock_ + 1s); }

    /// Claims the head and ends it with `status` a second later; returns its id.
    std::string run_next(run_status status) {
        auto run = claim();
        EXPECT_TRUE(run.has_value());
        if (!run) return {};
        finish(*run, status);
        return run->id;
    }

    /// Closes the store and opens another on the same data.
    void reopen() {
        handle_ = {};
        handle_ = place_->open();
        store_ = handle_.runs;
        sweeps_ = handle_.sweeps;
    }

    core::wall_time clock_ = sweep_t0;
    std::unique_ptr<test::store_place> place_ = GetParam().make();
    test::store_handle handle_ = place_->open();
    run_store* store_ = handle_.runs;
    sweep_store* sweeps_ = handle_.sweeps;
};

TEST_P(sweep_store_contract_test, a_sweep_and_its_runs_are_committed_queued_in_plan_order) {
    const auto stored = sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256", "ctx512"}));
    EXPECT_EQ(stored.status, run_status::queued);
    EXPECT_EQ(stored.label, "a study");
    EXPECT_EQ(stored.progress.total, 3);
    EXPECT_EQ(stored.progress.queued, 3);
    const auto runs = sweeps_->sweep_runs("s");
    ASSERT_EQ(runs.size(), 3U);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        EXPECT_EQ(runs[i].id, "s-" + std::to_string(i));
        EXPECT_EQ(runs[i].sweep_index, static_cast<std::int64_t>(i));
        EXPECT_EQ(runs[i].sweep_id, "s");
        EXPECT_EQ(runs[i].label, "sweep:s");
        EXPECT_EQ(runs[i].status, run_status::queued);
        if (i > 0) {
            EXPECT_EQ(runs[i].seq, runs[i - 1].seq + 1);
        }
    }
    EXPECT_EQ(store_->count_queued(), 3U);
}

TEST_P(sweep_store_contract_test, a_failed_insert_commits_neither_the_sweep_nor_any_run) {
    store_->submit(ordinary("taken"));
    auto clashing = sweep("s", {"baseline", "ctx256"});
    clashing.runs[1].id = "taken";
    EXPECT_THROW(sweeps_->submit_sweep(clashing), store_error);
    EXPECT_FALSE(sweeps_->find_sweep("s"));
    EXPECT_FALSE(store_->find("s-0"));
}

TEST_P(sweep_store_contract_test, a_sweep_run_waits_for_running_runs_to_end) {
    store_->submit(ordinary("before"));
    const auto running = claim();
    ASSERT_TRUE(running);
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}));
    EXPECT_FALSE(claim()) << "a sweep run must not start beside another run";
    finish(*running, run_status::succeeded);
    EXPECT_EQ(claim()->id, "s-0");
    EXPECT_EQ(sweeps_->find_sweep("s")->status, run_status::running);
}

TEST_P(sweep_store_contract_test, nothing_starts_beside_a_running_sweep_run) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}));
    store_->submit(ordinary("after"));
    const auto first = claim();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, "s-0");
    EXPECT_FALSE(claim()) << "neither the next sweep run nor an ordinary run may start";
    finish(*first, run_status::succeeded);
    EXPECT_EQ(run_next(run_status::succeeded), "s-1");
    EXPECT_EQ(claim()->id, "after");
}

TEST_P(sweep_store_contract_test, ordinary_runs_still_run_side_by_side) {
    store_->submit(ordinary("a"));
    store_->submit(ordinary("b"));
    EXPECT_EQ(claim()->id, "a");
    EXPECT_EQ(claim()->id, "b");
}

TEST_P(sweep_store_contract_test, the_next_sweep_run_waits_out_the_cooldown) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}, 5s));
    EXPECT_EQ(store_->cooldown_until(), core::wall_time{});  // before the first run, no wait
    const auto first = claim();
    ASSERT_TRUE(first);
    finish(*first, run_status::succeeded, sweep_t0 + 1s);
    EXPECT_EQ(store_->cooldown_until(), sweep_t0 + 6s);
    EXPECT_FALSE(claim(sweep_t0 + 5999ms));
    const auto second = claim(sweep_t0 + 6s);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, "s-1");
}

TEST_P(sweep_store_contract_test, cooldown_until_is_empty_when_the_head_is_an_ordinary_run) {
    store_->submit(ordinary("a"));
    EXPECT_FALSE(store_->cooldown_until());
}

TEST_P(sweep_store_contract_test, cancel_stops_the_queued_runs_at_once_and_reports_the_running_one) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256", "ctx512"}));
    const auto running = claim();
    ASSERT_TRUE(running);
    const auto cancellation = sweeps_->cancel_sweep("s", sweep_t0 + 2s);
    EXPECT_TRUE(cancellation.found);
    EXPECT_FALSE(cancellation.already_finished);
    EXPECT_EQ(cancellation.queued_cancelled, 2U);
    EXPECT_EQ(cancellation.running, std::vector<std::string>{"s-0"});
    auto stored = sweeps_->find_sweep("s");
    EXPECT_EQ(stored->status, run_status::running) << "it ends when its running run ends";
    EXPECT_EQ(stored->progress.cancelled, 2);
    EXPECT_EQ(stored->progress.running, 1);
    EXPECT_EQ(store_->find("s-2")->error->type, core::failure_type::cancelled);

    finish(*running, run_status::cancelled, sweep_t0 + 3s);
    stored = sweeps_->find_sweep("s");
    EXPECT_EQ(stored->status, run_status::cancelled);
    EXPECT_EQ(stored->finished_at, sweep_t0 + 3s);
    EXPECT_TRUE(sweeps_->cancel_sweep("s", sweep_t0 + 4s).already_finished);
    EXPECT_FALSE(sweeps_->cancel_sweep("unknown", sweep_t0).found);
}

TEST_P(sweep_store_contract_test, a_sweep_with_nothing_running_is_cancelled_at_once) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}));
    const auto cancellation = sweeps_->cancel_sweep("s", sweep_t0 + 1s);
    EXPECT_EQ(cancellation.queued_cancelled, 2U);
    EXPECT_TRUE(cancellation.running.empty());
    EXPECT_EQ(sweeps_->find_sweep("s")->status, run_status::cancelled);
    EXPECT_FALSE(claim());
}

TEST_P(sweep_store_contract_test, succeeds_when_the_baseline_and_a_config_succeeded) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256", "ctx512"}));
    run_next(run_status::succeeded);
    run_next(run_status::failed);
    EXPECT_EQ(sweeps_->find_sweep("s")->status, run_status::running);
    run_next(run_status::succeeded);
    const auto stored = sweeps_->find_sweep("s");
    EXPECT_EQ(stored->status, run_status::succeeded);
    EXPECT_EQ(stored->finished_at, sweep_t0 + 3s);
    EXPECT_EQ(stored->started_at, sweep_t0);
    EXPECT_EQ(stored->progress.succeeded, 2);
    EXPECT_EQ(stored->progress.failed, 1);
    EXPECT_EQ(stored->progress.queued + stored->progress.running, 0);
}

TEST_P(sweep_store_contract_test, fails_when_no_config_can_be_compared_with_the_baseline) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}));
    run_next(run_status::succeeded);
    run_next(run_status::failed);
    EXPECT_EQ(sweeps_->find_sweep("s")->status, run_status::failed);
}

TEST_P(sweep_store_contract_test, cancelling_its_last_queued_run_ends_the_sweep) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}));
    run_next(run_status::succeeded);
    EXPECT_TRUE(store_->cancel_queued("s-1", sweep_t0 + 5s));
    EXPECT_EQ(sweeps_->find_sweep("s")->status, run_status::failed);
}

TEST_P(sweep_store_contract_test, recovery_at_start_ends_a_sweep_at_the_present_not_at_its_cutoff) {
    sweeps_->submit_sweep(sweep("s", {"baseline"}));
    ASSERT_TRUE(claim());
    // A sole owner at start passes the end of time as the cutoff (every running row is an orphan).
    EXPECT_EQ(store_->recover_expired(core::wall_time::max(), 1).failed, 1U);
    const auto stored = sweeps_->find_sweep("s");
    EXPECT_EQ(stored->status, run_status::failed);
    ASSERT_TRUE(stored->finished_at);
    EXPECT_LE(*stored->finished_at, std::chrono::system_clock::now());
    EXPECT_LE(store_->find("s-0")->finished_at, stored->finished_at);
}

TEST_P(sweep_store_contract_test, list_is_newest_first_with_status_filter_and_cursor) {
    for (const auto* id : {"s1", "s2", "s3"}) sweeps_->submit_sweep(sweep(id, {"baseline"}));
    sweeps_->cancel_sweep("s2", sweep_t0);
    sweep_filter page;
    page.limit = 2;
    const auto first = sweeps_->list_sweeps(page);
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].id, "s3");
    EXPECT_EQ(first[1].id, "s2");
    EXPECT_EQ(first[0].progress.total, 1);
    page.before_seq = first[1].seq;
    const auto second = sweeps_->list_sweeps(page);
    ASSERT_EQ(second.size(), 1U);
    EXPECT_EQ(second[0].id, "s1");
    sweep_filter cancelled;
    cancelled.status = run_status::cancelled;
    const auto found = sweeps_->list_sweeps(cancelled);
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].id, "s2");
}

TEST_P(sweep_store_contract_test, sweeps_survive_reopening_the_database) {
    sweeps_->submit_sweep(sweep("s", {"baseline", "ctx256"}, 2s));
    reopen();
    const auto stored = sweeps_->find_sweep("s");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->cooldown, 2s);
    EXPECT_EQ(stored->spec, R"({"grid":{"num_ctx":[256]}})");
    EXPECT_EQ(sweeps_->sweep_runs("s").size(), 2U);
}

INSTANTIATE_TEST_SUITE_P(stores,
                         sweep_store_contract_test,
                         testing::ValuesIn(test::contract_store_kinds()),
                         [](const auto& kind) { return kind.param.name; });

}  // namespace
}  // namespace chimera::service
