#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/store/run_store.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

class pg_connection;
class pg_connection_pool;

struct pg_store_settings {
    std::string conninfo;         ///< libpq URL or key=value string; never logged with its password
    std::size_t connections = 4;  ///< pool size; callers beyond it wait for a free connection
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds statement_timeout{5000};
    std::string password = {};  ///< when not in the conninfo (or PGPASSFILE): from --store-password-file
};

/// The run and sweep store on a PostgreSQL database shared by several replicas (sweep methods in
/// pg_run_store_sweeps.cpp). Same semantics as sqlite_run_store; claims take the head of the queue with
/// FOR UPDATE SKIP LOCKED under a transaction-scoped advisory lock, so the sweep rule ("nothing else
/// running") holds across replicas. State changes NOTIFY the store_channels.hpp channels in their transaction.
///
/// Times: callers pass their own wall clock, but replicas' clocks differ; a lease written by one and compared
/// by another must be in one clock, or a skewed pod could take a run whose owner still holds its lease. So
/// every time written or compared is shifted into the database's clock by the offset measured at connect
/// (database clock − local clock), and shifted back when read.
///
/// Thread-safe: every method may be called from any thread at once; each takes a pooled connection.
/// Throws store_error.
class pg_run_store final : public run_store, public sweep_store {
public:
    /// Connects and applies the schema's migrations; throws store_error.
    explicit pg_run_store(pg_store_settings settings);
    ~pg_run_store() override;
    pg_run_store(const pg_run_store&) = delete;
    pg_run_store& operator=(const pg_run_store&) = delete;

    /// With an idempotency key another run already holds, returns that run and commits nothing.
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

    /// SELECT pg_notify(channel, payload) on its own; throws store_error.
    void notify(std::string_view channel, std::string_view payload);

private:
    /// A local wall time in the database's clock, as stored (ms since the epoch); and back.
    [[nodiscard]] std::int64_t db_ms(core::wall_time local) const;
    [[nodiscard]] core::wall_time local_time(std::int64_t db_ms) const;
    /// Measures the offset on a fresh connection; keeps the old one unless the clocks moved apart.
    void measure_clock_offset(pg_connection& connection);
    [[nodiscard]] std::optional<stored_sweep> find_sweep(pg_connection& connection, std::string_view id);
    [[nodiscard]] std::optional<stored_run> find_one(const std::string& sql, std::string_view value);
    /// Ends the sweeps whose runs all ended; called in the transaction that ended a run.
    void settle_sweeps(pg_connection& connection, core::wall_time at);

    std::atomic<std::int64_t> clock_offset_ms_{0};
    std::unique_ptr<pg_connection_pool> pool_;
};

}  // namespace chimera::service
