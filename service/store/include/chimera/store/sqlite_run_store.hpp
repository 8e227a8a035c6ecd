#pragma once

#include <filesystem>

#include "chimera/store/run_store.hpp"
#include "chimera/store/sqlite_database.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

/// The embedded run and sweep store (sweep methods in sqlite_run_store_sweeps.cpp): `<state_dir>/runs.db`, SQLite in
/// WAL mode. A commit is durable against a crash of the process (kill -9): WAL with synchronous=NORMAL syncs at
/// checkpoints, so only a power loss can take the last commits with it.
class sqlite_run_store final : public run_store, public sweep_store {
public:
    explicit sqlite_run_store(const std::filesystem::path& state_dir);

    stored_run submit(const run_submission& submission) override;
    void check_writable() override;
    [[nodiscard]] std::optional<stored_run> find(std::string_view id) override;
    [[nodiscard]] std::optional<stored_run> find_by_idempotency_key(std::string_view key) override;
    [[nodiscard]] std::optional<std::string> report(std::string_view id, report_kind kind) override;
    [[nodiscard]] std::vector<stored_run> list(const run_filter& filter) override;
    [[nodiscard]] std::size_t count_queued() override;

    [[nodiscard]] std::optional<stored_run> claim_next(std::string_view owner,
                                                       core::wall_time lease_until,
                                                       core::wall_time now) override;
    [[nodiscard]] std::optional<core::wall_time> cooldown_until() override;
    lease_status renew_lease(std::string_view id, std::int64_t attempt, core::wall_time lease_until) override;
    bool complete(const run_completion& completion) override;
    bool release(std::string_view id, std::int64_t attempt) override;

    bool cancel_queued(std::string_view id, core::wall_time at) override;
    bool request_cancel(std::string_view id) override;

    recovery_counts recover_expired(core::wall_time now, std::int64_t max_attempts) override;

    stored_sweep submit_sweep(const sweep_submission& submission) override;
    [[nodiscard]] std::optional<stored_sweep> find_sweep(std::string_view id) override;
    [[nodiscard]] std::vector<stored_sweep> list_sweeps(const sweep_filter& filter) override;
    [[nodiscard]] std::vector<stored_run> sweep_runs(std::string_view id) override;
    sweep_cancellation cancel_sweep(std::string_view id, core::wall_time at) override;

private:
    [[nodiscard]] std::optional<stored_run> find_one(std::string_view where_column, std::string_view value);
    /// Ends the sweeps whose runs all ended; called in the transaction that ended a run.
    void settle_sweeps(core::wall_time at);

    sqlite_database db_;
};

}  // namespace chimera::service
