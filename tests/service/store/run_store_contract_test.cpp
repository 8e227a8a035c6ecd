// The run_store contract, run unchanged against every store (store_contract.hpp): submission, the
// claim and its lease, fenced completion, hand-back, recovery, cancellation, idempotency keys, listing.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "store_contract.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using core::run_status;

const core::wall_time t0 = core::wall_time{} + std::chrono::hours{24 * 365 * 56};

run_submission submission(std::string id, std::optional<std::string> key = std::nullopt) {
    return {id, "gemma3:latest", "label-" + id, R"({"data_dir":"bench"})", std::move(key), t0, "req-" + id};
}

class run_store_contract_test : public testing::TestWithParam<test::store_kind> {
protected:
    /// Submits and claims a run, leasing it until `lease_until`.
    stored_run claimed(const std::string& id, core::wall_time lease_until) {
        store_->submit(submission(id));
        auto run = store_->claim_next("dead-process", lease_until, t0);
        EXPECT_TRUE(run.has_value());
        EXPECT_EQ(run->id, id);
        return *run;
    }

    run_status status_of(const std::string& id) { return store_->find(id).value().status; }

    run_completion completion(const stored_run& run, run_status status = run_status::succeeded) {
        return {run.id,     run.attempt,     status, std::nullopt, t0 + 1s, R"({"id":")" + run.id + R"("})",
                "# report", "# agent report"};
    }

    /// Closes the store and opens another on the same data.
    void reopen() {
        handle_ = {};
        handle_ = place_->open();
        store_ = handle_.runs;
    }

    std::unique_ptr<test::store_place> place_ = GetParam().make();
    test::store_handle handle_ = place_->open();
    run_store* store_ = handle_.runs;
};

TEST_P(run_store_contract_test, submitted_run_is_queued_with_its_request) {
    const auto run = store_->submit(submission("a"));
    EXPECT_EQ(run.status, run_status::queued);
    EXPECT_EQ(run.attempt, 0);
    const auto found = store_->find("a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->request, R"({"data_dir":"bench"})");
    EXPECT_EQ(found->label, "label-a");
    EXPECT_EQ(found->request_id, "req-a");
    EXPECT_EQ(found->created_at, t0);
    EXPECT_FALSE(store_->find("b"));
    EXPECT_EQ(store_->count_queued(), 1U);
}

TEST_P(run_store_contract_test, committed_runs_survive_reopening_the_database) {
    store_->submit(submission("a"));
    reopen();
    EXPECT_EQ(status_of("a"), run_status::queued);
}

// Lookups reuse their prepared statements; each must end its read when done, or this
// process would go on reading an old snapshot and miss another replica's writes.
TEST_P(run_store_contract_test, repeated_lookups_see_another_connections_writes) {
    store_->submit(submission("a"));
    const auto other = place_->open();
    auto& replica = *other.runs;
    EXPECT_EQ(status_of("a"), run_status::queued);
    EXPECT_FALSE(store_->find("b"));
    replica.submit(submission("b"));
    ASSERT_TRUE(replica.cancel_queued("a", t0));
    EXPECT_EQ(status_of("a"), run_status::cancelled);
    EXPECT_TRUE(store_->find("b"));
}

TEST_P(run_store_contract_test, claims_oldest_first_and_counts_attempts) {
    store_->submit(submission("first"));
    store_->submit(submission("second"));
    const auto claim = store_->claim_next("me", t0 + 30s, t0);
    ASSERT_TRUE(claim);
    EXPECT_EQ(claim->id, "first");
    EXPECT_EQ(claim->status, run_status::running);
    EXPECT_EQ(claim->attempt, 1);
    EXPECT_EQ(store_->claim_next("me", t0 + 30s, t0)->id, "second");
    EXPECT_FALSE(store_->claim_next("me", t0 + 30s, t0));
}

TEST_P(run_store_contract_test, completion_is_fenced_on_state_and_attempt) {
    const auto run = claimed("a", t0 + 30s);
    auto stale = completion(run);
    stale.attempt = run.attempt + 1;
    EXPECT_FALSE(store_->complete(stale));
    EXPECT_TRUE(store_->complete(completion(run)));
    EXPECT_FALSE(store_->complete(completion(run, run_status::failed)));  // exactly one completion record
    const auto found = store_->find("a");
    EXPECT_EQ(found->status, run_status::succeeded);
    EXPECT_EQ(found->document, R"({"id":"a"})");
    EXPECT_EQ(store_->report("a", report_kind::llm), "# report");
    EXPECT_EQ(store_->report("a", report_kind::agent), "# agent report");
    EXPECT_EQ(store_->report("missing", report_kind::llm), std::nullopt);
}

TEST_P(run_store_contract_test, a_lost_claim_cannot_renew_or_complete) {
    const auto first = claimed("a", t0);
    EXPECT_EQ(store_->recover_expired(t0 + 1s, 3).requeued, 1U);
    const auto second = store_->claim_next("another", t0 + 60s, t0);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->attempt, 2);
    EXPECT_EQ(store_->renew_lease("a", first.attempt, t0 + 90s), lease_status::lost);
    EXPECT_FALSE(store_->complete(completion(first)));
    EXPECT_EQ(store_->renew_lease("a", second->attempt, t0 + 90s), lease_status::held);
    EXPECT_TRUE(store_->complete(completion(*second)));
}

TEST_P(run_store_contract_test, recovery_requeues_expired_leases_only) {
    claimed("expired", t0 + 10s);
    claimed("alive", t0 + 60s);
    const auto counts = store_->recover_expired(t0 + 30s, 3);
    EXPECT_EQ(counts.requeued, 1U);
    EXPECT_EQ(counts.failed + counts.cancelled, 0U);
    EXPECT_EQ(status_of("expired"), run_status::queued);
    EXPECT_EQ(status_of("alive"), run_status::running);
    EXPECT_EQ(store_->find("expired")->attempt, 1);  // the next claim makes it attempt 2
}

TEST_P(run_store_contract_test, recovery_fails_a_run_at_max_attempts_with_a_reason) {
    claimed("a", t0);
    store_->recover_expired(t0 + 1s, 2);
    ASSERT_TRUE(store_->claim_next("second", t0, t0));
    const auto counts = store_->recover_expired(t0 + 1s, 2);
    EXPECT_EQ(counts.failed, 1U);
    const auto found = store_->find("a");
    EXPECT_EQ(found->status, run_status::failed);
    ASSERT_TRUE(found->error);
    EXPECT_EQ(found->error->type, core::failure_type::attempts_exhausted);
    EXPECT_NE(found->error->detail.find("2 time(s)"), std::string::npos) << found->error->detail;
    EXPECT_TRUE(found->finished_at);
}

TEST_P(run_store_contract_test, recovery_cancels_a_run_whose_cancellation_was_requested) {
    const auto run = claimed("a", t0);
    EXPECT_TRUE(store_->request_cancel("a"));
    EXPECT_EQ(store_->renew_lease("a", run.attempt, t0), lease_status::cancel_requested);
    const auto counts = store_->recover_expired(t0 + 1min, 3);
    EXPECT_EQ(counts.cancelled, 1U);
    EXPECT_EQ(status_of("a"), run_status::cancelled);
}

TEST_P(run_store_contract_test, requeued_runs_keep_their_place_before_newer_ones) {
    claimed("old", t0);
    store_->submit(submission("new"));
    store_->recover_expired(t0 + 1s, 3);
    EXPECT_EQ(store_->claim_next("me", t0 + 30s, t0)->id, "old");
}

TEST_P(run_store_contract_test, release_hands_a_claimed_run_back) {
    const auto run = claimed("a", t0 + 30s);
    EXPECT_TRUE(store_->release("a", run.attempt));
    EXPECT_EQ(status_of("a"), run_status::queued);
    EXPECT_FALSE(store_->release("a", run.attempt));
}

TEST_P(run_store_contract_test, hand_backs_are_counted_apart_and_do_not_use_up_attempts) {
    // Two drains hand the run back, then two processes die with it: with --max-attempts 3 the
    // run is queued again each time, and fails only when three executions stopped unhanded.
    for (int drain = 0; drain < 2; ++drain) {
        const auto run = drain == 0 ? claimed("a", t0) : *store_->claim_next("drained", t0, t0);
        EXPECT_TRUE(store_->release("a", run.attempt));
    }
    for (int crash = 0; crash < 2; ++crash) {
        ASSERT_TRUE(store_->claim_next("crashes", t0, t0));
        EXPECT_EQ(store_->recover_expired(t0 + 1s, 3).requeued, 1U) << "crash " << crash;
    }
    const auto requeued = store_->find("a").value();
    EXPECT_EQ(requeued.attempt, 4);
    EXPECT_EQ(requeued.handbacks, 2);
    EXPECT_EQ(requeued.status, run_status::queued);
    ASSERT_TRUE(store_->claim_next("crashes", t0, t0));
    EXPECT_EQ(store_->recover_expired(t0 + 1s, 3).failed, 1U);
    const auto failed = store_->find("a").value();
    ASSERT_TRUE(failed.error);
    EXPECT_EQ(failed.error->type, core::failure_type::attempts_exhausted);
    EXPECT_NE(failed.error->detail.find("stopped 3 time(s) without handing it back"), std::string::npos)
        << failed.error->detail;
}

TEST_P(run_store_contract_test, check_writable_commits_a_write) {
    EXPECT_NO_THROW(store_->check_writable());
    EXPECT_NO_THROW(store_->check_writable()) << "again: the probe row is updated, not duplicated";
}

TEST_P(run_store_contract_test, only_queued_runs_cancel_at_once) {
    claimed("running", t0 + 30s);
    store_->submit(submission("queued"));
    EXPECT_TRUE(store_->cancel_queued("queued", t0));
    EXPECT_FALSE(store_->cancel_queued("running", t0));
    EXPECT_EQ(status_of("queued"), run_status::cancelled);
    ASSERT_TRUE(store_->find("queued")->error);
    EXPECT_EQ(store_->find("queued")->error->type, core::failure_type::cancelled);
    EXPECT_FALSE(store_->claim_next("me", t0 + 30s, t0));
}

TEST_P(run_store_contract_test, idempotency_key_finds_its_run_and_is_unique) {
    store_->submit(submission("a", "key-1"));
    EXPECT_EQ(store_->find_by_idempotency_key("key-1")->id, "a");
    EXPECT_FALSE(store_->find_by_idempotency_key("key-2"));
    // A second submission with the key (a client's retry racing its first request) gets the first run.
    const auto again = store_->submit(submission("b", "key-1"));
    EXPECT_EQ(again.id, "a");
    EXPECT_FALSE(store_->find("b"));
    EXPECT_EQ(store_->count_queued(), 1U);
}

TEST_P(run_store_contract_test, a_taken_id_is_refused) {
    store_->submit(submission("a"));
    EXPECT_THROW(store_->submit(submission("a", "key-1")), store_error);
    EXPECT_FALSE(store_->find_by_idempotency_key("key-1"));
}

TEST_P(run_store_contract_test, list_is_newest_first_with_filters_and_cursor) {
    for (const auto* id : {"r1", "r2", "r3", "r4"}) store_->submit(submission(id));
    const auto run = store_->claim_next("me", t0 + 30s, t0);
    store_->complete(completion(*run, run_status::failed));

    run_filter page;
    page.limit = 2;
    auto first = store_->list(page);
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].id, "r4");
    EXPECT_EQ(first[1].id, "r3");
    page.before_seq = first[1].seq;
    auto second = store_->list(page);
    ASSERT_EQ(second.size(), 2U);
    EXPECT_EQ(second[0].id, "r2");
    EXPECT_EQ(second[1].id, "r1");

    run_filter failed;
    failed.status = run_status::failed;
    const auto failures = store_->list(failed);
    ASSERT_EQ(failures.size(), 1U);
    EXPECT_EQ(failures[0].id, "r1");

    run_filter labelled;
    labelled.label = "label-r3";
    labelled.model = "gemma3:latest";
    EXPECT_EQ(store_->list(labelled).size(), 1U);
    labelled.model = "other";
    EXPECT_TRUE(store_->list(labelled).empty());
}

INSTANTIATE_TEST_SUITE_P(stores,
                         run_store_contract_test,
                         testing::ValuesIn(test::contract_store_kinds()),
                         [](const auto& kind) { return kind.param.name; });

}  // namespace
}  // namespace chimera::service
