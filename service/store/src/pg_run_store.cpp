#include "chimera/store/pg_run_store.hpp"

#include <algorithm>
#include <cstdlib>

#include "chimera/store/store_channels.hpp"
#include "pg_connection_pool.hpp"
#include "pg_run_rows.hpp"
#include "pg_schema.hpp"
#include "pg_transaction.hpp"

namespace chimera::service {
namespace {

using pg_rows::read_run;
using pg_rows::select_runs;
using pg_rows::text;
using pg_rows::to_ms;

/// Serialises claimers across replicas, so a claim's "nothing else is running" cannot race another claim.
constexpr std::string_view claim_lock = "SELECT pg_advisory_xact_lock(6298982647102824802)";

/// Offsets this small are measurement noise (half a round trip) or a skew far below any lease: ignoring them
/// lets a time written through one connection read back exactly through another one connected later.
constexpr std::int64_t offset_noise_ms = 50;

std::string with_run_columns(std::string_view sql) {
    std::string full{sql};
    full.append(" RETURNING ").append(pg_rows::run_columns);
    return full;
}

}  // namespace

pg_run_store::pg_run_store(pg_store_settings settings)
    : pool_(std::make_unique<pg_connection_pool>(
          pg_connect_options{std::move(settings.conninfo), settings.connect_timeout, "chimera",
                             std::move(settings.password)},
          settings.statement_timeout,
          settings.connections,
          [this](pg_connection& connection) { measure_clock_offset(connection); })) {
    auto connection = pool_->acquire();
    apply_pg_migrations(*connection);
}

pg_run_store::~pg_run_store() = default;

void pg_run_store::measure_clock_offset(pg_connection& connection) {
    const auto before = std::chrono::system_clock::now();
    const auto result = connection.execute("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
    const auto after = std::chrono::system_clock::now();
    // The server read its clock somewhere in the round trip: the midpoint is the best guess of when.
    const auto measured = result.integer(0, 0) - to_ms(before + (after - before) / 2);
    if (std::abs(measured - clock_offset_ms_.load()) > offset_noise_ms) {
        clock_offset_ms_.store(std::abs(measured) > offset_noise_ms ? measured : 0);
    }
}

std::int64_t pg_run_store::db_ms(core::wall_time local) const { return to_ms(local) + clock_offset_ms_.load(); }

core::wall_time pg_run_store::local_time(std::int64_t stored_ms) const {
    return pg_rows::from_ms(stored_ms - clock_offset_ms_.load());
}

stored_run pg_run_store::submit(const run_submission& submission) {
    // One statement, so its NOTIFY commits with the row. A key another run holds inserts nothing (and notifies
    // nothing): that run is the answer, also for the loser of two submits racing with one key.
    static const std::string insert =
        with_run_columns(
            "WITH inserted AS (INSERT INTO runs (id, state, model, label, request, idempotency_key, created_ms, "
            "request_id) VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING")
            .append(") SELECT *, pg_notify($8, '') FROM inserted");
    // One connection for both statements: a caller holding one while waiting for a second could wait forever
    // once every connection of the pool is held that way.
    static const std::string holder_of_key = select_runs("WHERE idempotency_key = $1");
    auto connection = pool_->acquire();
    const auto result = connection->query(insert, pg_params{}
                                                      .add(submission.id)
                                                      .add(submission.model)
                                                      .add(submission.label)
                                                      .add(submission.request)
                                                      .add(submission.idempotency_key)
                                                      .add(db_ms(submission.created_at))
                                                      .add(submission.request_id)
                                                      .add(work_channel));
    if (result.rows() == 1) return read_run(result, 0, clock_offset_ms_.load());
    if (submission.idempotency_key) {
        const auto holder = connection->query(holder_of_key, pg_params{}.add(*submission.idempotency_key));
        if (holder.rows() == 1) return read_run(holder, 0, clock_offset_ms_.load());
    }
    std::string message = "run store: run ";
    message.append(submission.id).append(" was neither inserted nor found by its idempotency key");
    throw store_error(message);
}

void pg_run_store::check_writable() {
    static const std::string probe =
        "INSERT INTO write_probe (id, at_ms) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms";
    pool_->acquire()->query(probe, pg_params{}.add(db_ms(std::chrono::system_clock::now())));
}

std::optional<stored_run> pg_run_store::find_one(const std::string& sql, std::string_view value) {
    const auto result = pool_->acquire()->query(sql, pg_params{}.add(value));
    if (result.rows() == 0) return std::nullopt;
    return read_run(result, 0, clock_offset_ms_.load());
}

std::optional<stored_run> pg_run_store::find(std::string_view id) {
    static const std::string sql = select_runs("WHERE id = $1");
    return find_one(sql, id);
}

std::optional<stored_run> pg_run_store::find_by_idempotency_key(std::string_view key) {
    static const std::string sql = select_runs("WHERE idempotency_key = $1");
    return find_one(sql, key);
}

std::optional<std::string> pg_run_store::report(std::string_view id, report_kind kind) {
    static const std::string llm = "SELECT report FROM runs WHERE id = $1";
    static const std::string agent = "SELECT agent_report FROM runs WHERE id = $1";
    const auto result = pool_->acquire()->query(kind == report_kind::llm ? llm : agent, pg_params{}.add(id));
    if (result.rows() == 0) return std::nullopt;
    return result.optional_text(0, 0);
}

std::vector<stored_run> pg_run_store::list(const run_filter& filter) {
    // NULL parameters switch a filter off, so one statement serves every combination.
    static const std::string sql = select_runs(
        "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR label = $2) AND ($3::text IS NULL OR "
        "model = $3) AND ($4::bigint IS NULL OR seq < $4) ORDER BY seq DESC LIMIT $5");
    const auto result =
        pool_->acquire()->query(sql, pg_params{}
                                         .add(filter.status ? std::optional{text(*filter.status)} : std::nullopt)
                                         .add(filter.label)
                                         .add(filter.model)
                                         .add(filter.before_seq)
                                         .add(static_cast<std::int64_t>(filter.limit)));
    std::vector<stored_run> runs;
    const auto offset = clock_offset_ms_.load();
    for (int row = 0; row < result.rows(); ++row) runs.push_back(read_run(result, row, offset));
    return runs;
}

std::size_t pg_run_store::count_queued() {
    static const std::string sql = "SELECT count(*) FROM runs WHERE state = 'queued'";
    return static_cast<std::size_t>(pool_->acquire()->query(sql, pg_params{}).integer(0, 0));
}

std::optional<stored_run> pg_run_store::claim_next(std::string_view owner,
                                                   core::wall_time lease_until,
                                                   core::wall_time now) {
    // Only the head of the queue is a candidate (FIFO); SKIP LOCKED passes over a head another transaction is
    // ending. Under the advisory lock this statement's snapshot is taken after the previous claimer committed,
    // so its "nothing else is running" sees every claim: two replicas cannot start a sweep run side by side.
    static const std::string claim = with_run_columns(
        "WITH head AS (SELECT seq AS head_seq, sweep_id AS head_sweep FROM runs WHERE state = 'queued' "
        "ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "UPDATE runs SET state = 'running', attempt = attempt + 1, owner = $1, lease_until_ms = $2 FROM head "
        "WHERE seq = head_seq "
        "AND NOT EXISTS (SELECT 1 FROM runs busy WHERE busy.state = 'running' AND busy.sweep_id IS NOT NULL) "
        "AND (head_sweep IS NULL OR (NOT EXISTS (SELECT 1 FROM runs busy WHERE busy.state = 'running') "
        "AND (SELECT s.not_before_ms IS NULL OR s.not_before_ms <= $3 FROM sweeps s WHERE s.id = head_sweep)))");
    static const std::string start_sweep =
        "UPDATE sweeps SET state = 'running', started_ms = coalesce(started_ms, $1) WHERE id = $2 AND state = "
        "'queued'";
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    connection->execute(claim_lock);
    const auto result = connection->query(claim, pg_params{}.add(owner).add(db_ms(lease_until)).add(db_ms(now)));
    if (result.rows() == 0) return std::nullopt;
    auto run = read_run(result, 0, clock_offset_ms_.load());
    if (run.sweep_id) connection->query(start_sweep, pg_params{}.add(db_ms(now)).add(*run.sweep_id));
    transaction.commit();
    return run;
}

std::optional<core::wall_time> pg_run_store::cooldown_until() {
    static const std::string sql =
        "SELECT s.not_before_ms FROM runs r JOIN sweeps s ON s.id = r.sweep_id "
        "WHERE r.seq = (SELECT seq FROM runs WHERE state = 'queued' ORDER BY seq LIMIT 1)";
    const auto result = pool_->acquire()->query(sql, pg_params{});
    if (result.rows() == 0) return std::nullopt;
    // No run of the sweep ended yet: nothing to wait out.
    if (result.is_null(0, 0)) return core::wall_time{};
    return local_time(result.integer(0, 0));
}

lease_status pg_run_store::renew_lease(std::string_view id, std::int64_t attempt, core::wall_time lease_until) {
    static const std::string sql =
        "UPDATE runs SET lease_until_ms = $1 WHERE id = $2 AND state = 'running' AND attempt = $3 "
        "RETURNING cancel_requested";
    const auto result = pool_->acquire()->query(sql, pg_params{}.add(db_ms(lease_until)).add(id).add(attempt));
    if (result.rows() == 0) return lease_status::lost;
    return result.boolean(0, 0) ? lease_status::cancel_requested : lease_status::held;
}

bool pg_run_store::complete(const run_completion& completion) {
    static const std::string finish =
        "UPDATE runs SET state = $1, error_type = $2, error_detail = $3, finished_ms = $4, document = $5, "
        "report = $6, agent_report = $7, owner = NULL, lease_until_ms = NULL "
        "WHERE id = $8 AND state = 'running' AND attempt = $9";
    // The cool-down runs from the end of this run to the start of the sweep's next one.
    static const std::string cool_down =
        "UPDATE sweeps SET not_before_ms = $1 + cooldown_ms WHERE id = (SELECT sweep_id FROM runs WHERE id = $2)";
    const auto& error = completion.error;
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    const auto finished = connection->query(
        finish, pg_params{}
                    .add(text(completion.status))
                    .add(error ? std::optional{std::string{core::to_string(error->type)}} : std::nullopt)
                    .add(error ? std::optional{error->detail} : std::nullopt)
                    .add(db_ms(completion.finished_at))
                    .add(completion.document)
                    .add(completion.report.empty() ? std::nullopt : std::optional{completion.report})
                    .add(completion.agent_report)
                    .add(completion.id)
                    .add(completion.attempt));
    if (finished.affected() != 1) return false;
    connection->query(cool_down, pg_params{}.add(db_ms(completion.finished_at)).add(completion.id));
    settle_sweeps(*connection, completion.finished_at);
    connection->query("SELECT pg_notify($1, '')", pg_params{}.add(work_channel));
    transaction.commit();
    return true;
}

bool pg_run_store::release(std::string_view id, std::int64_t attempt) {
    static const std::string sql =
        "WITH released AS (UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL, "
        "handbacks = handbacks + 1 WHERE id = $1 AND state = 'running' AND attempt = $2 RETURNING id) "
        "SELECT pg_notify($3, '') FROM released";
    return pool_->acquire()->query(sql, pg_params{}.add(id).add(attempt).add(work_channel)).rows() == 1;
}

bool pg_run_store::cancel_queued(std::string_view id, core::wall_time at) {
    static const std::string sql =
        "UPDATE runs SET state = 'cancelled', finished_ms = $1, error_type = 'cancelled', "
        "error_detail = 'the run was cancelled before it started' WHERE id = $2 AND state = 'queued'";
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    if (connection->query(sql, pg_params{}.add(db_ms(at)).add(id)).affected() != 1) return false;
    settle_sweeps(*connection, at);
    // The head may have changed: a sweep run behind it may be claimable now.
    connection->query("SELECT pg_notify($1, '')", pg_params{}.add(work_channel));
    transaction.commit();
    return true;
}

bool pg_run_store::request_cancel(std::string_view id) {
    static const std::string sql =
        "WITH flagged AS (UPDATE runs SET cancel_requested = true WHERE id = $1 AND state = 'running' "
        "RETURNING id) SELECT pg_notify($2, id) FROM flagged";
    return pool_->acquire()->query(sql, pg_params{}.add(id).add(cancel_channel)).rows() == 1;
}

recovery_counts pg_run_store::recover_expired(core::wall_time now, std::int64_t max_attempts) {
    static const std::string cancel =
        "UPDATE runs SET state = 'cancelled', finished_ms = $2, owner = NULL, lease_until_ms = NULL, "
        "error_type = 'cancelled', error_detail = 'the run was cancelled while it was being executed' "
        "WHERE state = 'running' AND lease_until_ms < $1 AND cancel_requested";
    static const std::string fail =
        "UPDATE runs SET state = 'failed', finished_ms = $3, owner = NULL, lease_until_ms = NULL, "
        "error_type = 'attempts_exhausted', error_detail = 'the process executing the run stopped ' || "
        "(attempt - handbacks) || ' time(s) without handing it back; no attempt is left (--max-attempts)' "
        "WHERE state = 'running' AND lease_until_ms < $1 AND attempt - handbacks >= $2";
    static const std::string requeue =
        "UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL "
        "WHERE state = 'running' AND lease_until_ms < $1";
    // A sole owner recovers every running row at start by passing the end of time as `now`: that is a
    // cutoff, not a time to record as a run's or a sweep's end.
    const auto ended = std::min(now, std::chrono::system_clock::now());
    const auto cutoff = db_ms(now);
    recovery_counts counts;
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    counts.cancelled =
        static_cast<std::size_t>(connection->query(cancel, pg_params{}.add(cutoff).add(db_ms(ended))).affected());
    counts.failed = static_cast<std::size_t>(
        connection->query(fail, pg_params{}.add(cutoff).add(max_attempts).add(db_ms(ended))).affected());
    counts.requeued = static_cast<std::size_t>(connection->query(requeue, pg_params{}.add(cutoff)).affected());
    settle_sweeps(*connection, ended);
    if (counts.requeued > 0) connection->query("SELECT pg_notify($1, '')", pg_params{}.add(work_channel));
    transaction.commit();
    return counts;
}

void pg_run_store::settle_sweeps(pg_connection& connection, core::wall_time at) {
    // A sweep ends when its last run does; it succeeded when it can compare something: the baseline and at
    // least one config each have a successful run.
    static const std::string sql =
        "UPDATE sweeps SET finished_ms = $1, state = CASE WHEN cancel_requested THEN 'cancelled' "
        "WHEN EXISTS (SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state = 'succeeded' AND sweep_arm = $2) "
        "AND EXISTS (SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state = 'succeeded' AND sweep_arm <> $2) "
        "THEN 'succeeded' ELSE 'failed' END "
        "WHERE state IN ('queued', 'running') AND NOT EXISTS "
        "(SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state IN ('queued', 'running'))";
    connection.query(sql, pg_params{}.add(db_ms(at)).add(baseline_arm));
}

void pg_run_store::notify(std::string_view channel, std::string_view payload) {
    static const std::string sql = "SELECT pg_notify($1, $2)";
    pool_->acquire()->query(sql, pg_params{}.add(channel).add(payload));
}

}  // namespace chimera::service
