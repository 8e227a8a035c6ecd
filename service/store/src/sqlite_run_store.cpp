#include "chimera/store/sqlite_run_store.hpp"

#include <algorithm>
#include <chrono>

#include "sqlite_run_rows.hpp"

namespace chimera::service {
namespace {

constexpr std::int64_t schema_version = 4;

// Times are milliseconds since the Unix epoch; `seq` is the submission order. A sweep's runs
// are ordinary rows tagged with sweep_id, sweep_index (their place in the plan) and sweep_arm.
constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    handbacks        INTEGER NOT NULL DEFAULT 0,
    owner            TEXT,
    lease_until_ms   INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    model            TEXT NOT NULL,
    label            TEXT,
    request          TEXT NOT NULL,
    idempotency_key  TEXT UNIQUE,
    created_ms       INTEGER NOT NULL,
    finished_ms      INTEGER,
    error_type       TEXT,
    error_detail     TEXT,
    document         TEXT,
    report           TEXT,
    agent_report     TEXT,
    sweep_id         TEXT REFERENCES sweeps (id),
    sweep_index      INTEGER,
    sweep_arm        TEXT,
    request_id       TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_state ON runs (state, seq);
CREATE INDEX IF NOT EXISTS runs_by_sweep ON runs (sweep_id, sweep_index);
CREATE TABLE IF NOT EXISTS sweeps (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    model            TEXT NOT NULL,
    label            TEXT,
    spec             TEXT NOT NULL,
    cooldown_ms      INTEGER NOT NULL,
    not_before_ms    INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_ms       INTEGER NOT NULL,
    started_ms       INTEGER,
    finished_ms      INTEGER
);
CREATE TABLE IF NOT EXISTS write_probe (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    at_ms            INTEGER NOT NULL
);
PRAGMA user_version = 4;
)sql";

using sqlite_rows::from_ms;
using sqlite_rows::text;
using sqlite_rows::to_ms;

/// Version 3 counts the executions a drain handed back (`handbacks`), which do not use up an attempt.
constexpr std::string_view migration_from_2 = R"sql(
ALTER TABLE runs ADD COLUMN handbacks INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 3;
)sql";

/// Version 4 keeps the request id of the request that created a run; its write_probe table
/// (created with the schema) is what check_writable writes.
constexpr std::string_view migration_from_3 = R"sql(
ALTER TABLE runs ADD COLUMN request_id TEXT;
PRAGMA user_version = 4;
)sql";

/// Brings a database of an earlier version up to this one; a database another (newer) build
/// created cannot be read safely: say so rather than fail on a missing column mid-request.
/// Returns the version the database had.
std::int64_t migrate_schema(sqlite_database& db, const std::filesystem::path& file) {
    auto query = db.prepare("PRAGMA user_version");
    query.step();
    const auto version = query.integer(0);
    if (version == 2) {
        db.execute(migration_from_2);
    }
    if (version == 2 || version == 3) {
        db.execute(migration_from_3);
    } else if (version != 0 && version != schema_version) {
        throw store_error("run store: " + file.string() + " has schema version " + std::to_string(version) +
                          ", this build reads version " + std::to_string(schema_version) +
                          "; use another --state-dir or remove the file");
    }
    return version;
}

/// One transaction: the whole schema commits at once or not at all.
void create_schema(sqlite_database& db) {
    db.execute("BEGIN IMMEDIATE");
    db.execute(schema);
    db.execute("COMMIT");
}

/// A database at version 0 holds nothing, so its schema is written without a sync: a crash can
/// lose only the schema, never a run. What a power loss leaves is still readable: the file is
/// empty or holds its first page (one 4 KB write, made in WAL mode's header before the schema),
/// and the schema's commit is in the WAL, whose checksums discard a commit written in part.
/// Either way the next start finds version 0 and writes the schema again. Commits after it
/// (synchronous=NORMAL) are synced with it at the first checkpoint, as any other commit.
void create_schema_unsynced(sqlite_database& db) {
    db.execute("PRAGMA synchronous = OFF");
    db.execute("PRAGMA journal_mode = OFF");
    db.execute("PRAGMA journal_mode = WAL");
    create_schema(db);
}

}  // namespace

namespace sqlite_rows {

std::string_view run_columns() {
    return "seq, id, state, attempt, model, label, request, created_ms, finished_ms, error_type, error_detail, "
           "document, sweep_id, sweep_index, handbacks, request_id, owner";
}

std::string select_runs(std::string_view rest) {
    return "SELECT " + std::string{run_columns()} + " FROM runs " + std::string{rest};
}

stored_run read_run(const sqlite_statement& row) {
    stored_run run;
    run.seq = row.integer(0);
    run.id = row.text(1);
    run.status = core::parse_run_status(row.text(2)).value_or(core::run_status::failed);
    run.attempt = row.integer(3);
    run.handbacks = row.integer(14);
    run.model = row.text(4);
    run.label = row.optional_text(5);
    run.request = row.text(6);
    run.created_at = from_ms(row.integer(7));
    if (const auto finished = row.optional_integer(8)) run.finished_at = from_ms(*finished);
    // A type this version does not know (written by a newer one) reads as an internal error.
    if (const auto type = row.optional_text(9)) {
        run.error =
            core::run_error{core::parse_failure_type(*type).value_or(core::failure_type::internal_error), row.text(10)};
    }
    run.document = row.optional_text(11);
    run.sweep_id = row.optional_text(12);
    run.sweep_index = row.optional_integer(13);
    run.request_id = row.optional_text(15);
    run.owner = row.optional_text(16);
    return run;
}

}  // namespace sqlite_rows

using sqlite_rows::read_run;
using sqlite_rows::run_columns;
using sqlite_rows::select_runs;

sqlite_run_store::sqlite_run_store(const std::filesystem::path& state_dir) : db_(state_dir / "runs.db") {
    db_.execute("PRAGMA busy_timeout = 5000");
    // A current database is left as it is: the schema's statements, even those that change
    // nothing, would commit (and sync) a write at every start.
    const auto version = migrate_schema(db_, state_dir / "runs.db");
    if (version == 0) {
        create_schema_unsynced(db_);
    } else if (version != schema_version) {
        create_schema(db_);
    }
    db_.execute("PRAGMA journal_mode = WAL");
    db_.execute("PRAGMA synchronous = NORMAL");
}

stored_run sqlite_run_store::submit(const run_submission& submission) {
    db_.reuse(
           "INSERT INTO runs (id, state, model, label, request, idempotency_key, created_ms, request_id) "
           "VALUES (?, 'queued', ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING")
        ->bind(1, submission.id)
        .bind(2, submission.model)
        .bind(3, submission.label)
        .bind(4, submission.request)
        .bind(5, submission.idempotency_key)
        .bind(6, to_ms(submission.created_at))
        .bind(7, submission.request_id)
        .step();
    // A key another run holds inserted nothing: that run is the answer.
    auto stored = db_.changes() == 1 || !submission.idempotency_key
                      ? find(submission.id)
                      : find_by_idempotency_key(*submission.idempotency_key);
    if (!stored) throw store_error("run store: run " + submission.id + " vanished after its insert");
    return std::move(*stored);
}

void sqlite_run_store::check_writable() {
    const auto now_ms = to_ms(std::chrono::system_clock::now());
    db_.reuse("INSERT INTO write_probe (id, at_ms) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms")
        ->bind(1, now_ms)
        .step();
}

std::optional<stored_run> sqlite_run_store::find_one(std::string_view where_column, std::string_view value) {
    const auto query = db_.reuse(select_runs("WHERE " + std::string{where_column} + " = ?"));
    query->bind(1, value);
    if (!query->step()) return std::nullopt;
    return read_run(*query);
}

std::optional<stored_run> sqlite_run_store::find(std::string_view id) { return find_one("id", id); }

std::optional<stored_run> sqlite_run_store::find_by_idempotency_key(std::string_view key) {
    return find_one("idempotency_key", key);
}

std::optional<std::string> sqlite_run_store::report(std::string_view id, report_kind kind) {
    auto query = db_.prepare(kind == report_kind::llm ? "SELECT report FROM runs WHERE id = ?"
                                                      : "SELECT agent_report FROM runs WHERE id = ?");
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return query.optional_text(0);
}

std::vector<stored_run> sqlite_run_store::list(const run_filter& filter) {
    // NULL parameters switch a filter off, so one statement serves every combination.
    auto query = db_.prepare(
        select_runs("WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR label = ?2) AND (?3 IS NULL OR model = ?3) "
                    "AND (?4 IS NULL OR seq < ?4) ORDER BY seq DESC LIMIT ?5"));
    query.bind(1, filter.status ? std::optional{text(*filter.status)} : std::nullopt);
    query.bind(2, filter.label);
    query.bind(3, filter.model);
    query.bind(4, filter.before_seq);
    query.bind(5, static_cast<std::int64_t>(filter.limit));
    std::vector<stored_run> runs;
    while (query.step()) runs.push_back(read_run(query));
    return runs;
}

std::size_t sqlite_run_store::count_queued() {
    auto query = db_.prepare("SELECT count(*) FROM runs WHERE state = 'queued'");
    query.step();
    return static_cast<std::size_t>(query.integer(0));
}

std::optional<stored_run> sqlite_run_store::claim_next(std::string_view owner,
                                                       core::wall_time lease_until,
                                                       core::wall_time now) {
    // One statement decides, so two claimers can never take the same run nor start a sweep
    // run next to another run. Only the head of the queue is a candidate (FIFO).
    sqlite_transaction transaction{db_};
    auto claim = db_.prepare(
        "UPDATE runs SET state = 'running', attempt = attempt + 1, owner = ?1, lease_until_ms = ?2 "
        "WHERE seq = (SELECT seq FROM runs WHERE state = 'queued' ORDER BY seq LIMIT 1) "
        "AND NOT EXISTS (SELECT 1 FROM runs WHERE state = 'running' AND sweep_id IS NOT NULL) "
        "AND (sweep_id IS NULL OR (NOT EXISTS (SELECT 1 FROM runs WHERE state = 'running') "
        "AND (SELECT not_before_ms FROM sweeps WHERE sweeps.id = runs.sweep_id) <= ?3)) RETURNING " +
        std::string{run_columns()});
    claim.bind(1, owner).bind(2, to_ms(lease_until)).bind(3, to_ms(now));
    if (!claim.step()) return std::nullopt;
    auto run = read_run(claim);
    while (claim.step()) {
    }
    if (run.sweep_id) {
        db_.prepare(
               "UPDATE sweeps SET state = 'running', started_ms = coalesce(started_ms, ?1) "
               "WHERE id = ?2 AND state = 'queued'")
            .bind(1, to_ms(now))
            .bind(2, *run.sweep_id)
            .step();
    }
    transaction.commit();
    return run;
}

std::optional<core::wall_time> sqlite_run_store::cooldown_until() {
    auto query = db_.prepare(
        "SELECT sweeps.not_before_ms FROM runs JOIN sweeps ON sweeps.id = runs.sweep_id "
        "WHERE runs.seq = (SELECT seq FROM runs WHERE state = 'queued' ORDER BY seq LIMIT 1)");
    if (!query.step()) return std::nullopt;
    return from_ms(query.integer(0));
}

lease_status sqlite_run_store::renew_lease(std::string_view id, std::int64_t attempt, core::wall_time lease_until) {
    auto renew = db_.prepare(
        "UPDATE runs SET lease_until_ms = ? WHERE id = ? AND state = 'running' AND attempt = ? "
        "RETURNING cancel_requested");
    renew.bind(1, to_ms(lease_until)).bind(2, id).bind(3, attempt);
    if (!renew.step()) return lease_status::lost;
    const bool cancel = renew.integer(0) != 0;
    while (renew.step()) {
    }
    return cancel ? lease_status::cancel_requested : lease_status::held;
}

bool sqlite_run_store::complete(const run_completion& completion) {
    sqlite_transaction transaction{db_};
    db_.prepare(
           "UPDATE runs SET state = ?, error_type = ?, error_detail = ?, finished_ms = ?, document = ?, report = ?, "
           "agent_report = ?, owner = NULL, lease_until_ms = NULL WHERE id = ? AND state = 'running' AND attempt = ?")
        .bind(1, text(completion.status))
        .bind(2, completion.error ? std::optional{std::string{core::to_string(completion.error->type)}} : std::nullopt)
        .bind(3, completion.error ? std::optional{completion.error->detail} : std::nullopt)
        .bind(4, to_ms(completion.finished_at))
        .bind(5, completion.document)
        .bind(6, completion.report.empty() ? std::nullopt : std::optional{completion.report})
        .bind(7, completion.agent_report)
        .bind(8, completion.id)
        .bind(9, completion.attempt)
        .step();
    if (db_.changes() != 1) return false;
    // The cool-down runs from the end of this run to the start of the sweep's next one.
    db_.prepare(
           "UPDATE sweeps SET not_before_ms = ?1 + cooldown_ms "
           "WHERE id = (SELECT sweep_id FROM runs WHERE id = ?2)")
        .bind(1, to_ms(completion.finished_at))
        .bind(2, completion.id)
        .step();
    settle_sweeps(completion.finished_at);
    transaction.commit();
    return true;
}

bool sqlite_run_store::release(std::string_view id, std::int64_t attempt) {
    db_.prepare(
           "UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL, handbacks = handbacks + 1 "
           "WHERE id = ? AND state = 'running' AND attempt = ?")
        .bind(1, id)
        .bind(2, attempt)
        .step();
    return db_.changes() == 1;
}

bool sqlite_run_store::cancel_queued(std::string_view id, core::wall_time at) {
    sqlite_transaction transaction{db_};
    db_.prepare(
           "UPDATE runs SET state = 'cancelled', finished_ms = ?, error_type = 'cancelled', "
           "error_detail = 'the run was cancelled before it started' WHERE id = ? AND state = 'queued'")
        .bind(1, to_ms(at))
        .bind(2, id)
        .step();
    if (db_.changes() != 1) return false;
    settle_sweeps(at);
    transaction.commit();
    return true;
}

bool sqlite_run_store::request_cancel(std::string_view id) {
    db_.prepare("UPDATE runs SET cancel_requested = 1 WHERE id = ? AND state = 'running'").bind(1, id).step();
    return db_.changes() == 1;
}

recovery_counts sqlite_run_store::recover_expired(core::wall_time now, std::int64_t max_attempts) {
    const auto now_ms = to_ms(now);
    // A sole owner recovers every running row at start by passing the end of time as `now`:
    // that is a cutoff, not a time to record as a run's or a sweep's end.
    const auto ended = std::min(now, std::chrono::system_clock::now());
    constexpr std::string_view expired = "WHERE state = 'running' AND lease_until_ms < ?1";
    recovery_counts counts;
    sqlite_transaction transaction{db_};
    db_.prepare(
           "UPDATE runs SET state = 'cancelled', finished_ms = ?2, owner = NULL, lease_until_ms = NULL, "
           "error_type = 'cancelled', error_detail = 'the run was cancelled while it was being executed' " +
           std::string{expired} + " AND cancel_requested = 1")
        .bind(1, now_ms)
        .bind(2, to_ms(ended))
        .step();
    counts.cancelled = static_cast<std::size_t>(db_.changes());
    db_.prepare(
           "UPDATE runs SET state = 'failed', finished_ms = ?3, owner = NULL, lease_until_ms = NULL, "
           "error_type = 'attempts_exhausted', error_detail = 'the process executing the run stopped ' || "
           "(attempt - handbacks) || ' time(s) without handing it back; no attempt is left (--max-attempts)' " +
           std::string{expired} + " AND attempt - handbacks >= ?2")
        .bind(1, now_ms)
        .bind(2, max_attempts)
        .bind(3, to_ms(ended))
        .step();
    counts.failed = static_cast<std::size_t>(db_.changes());
    db_.prepare("UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL " + std::string{expired})
        .bind(1, now_ms)
        .step();
    counts.requeued = static_cast<std::size_t>(db_.changes());
    settle_sweeps(ended);
    transaction.commit();
    return counts;
}

void sqlite_run_store::settle_sweeps(core::wall_time at) {
    // A sweep ends when its last run does; it succeeded when it can compare something: the
    // baseline and at least one config each have a successful run.
    db_.prepare(
           "UPDATE sweeps SET finished_ms = ?1, state = CASE WHEN cancel_requested = 1 THEN 'cancelled' "
           "WHEN EXISTS (SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state = 'succeeded' AND sweep_arm = ?2) "
           "AND EXISTS (SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state = 'succeeded' AND sweep_arm <> ?2) "
           "THEN 'succeeded' ELSE 'failed' END "
           "WHERE state IN ('queued', 'running') AND NOT EXISTS "
           "(SELECT 1 FROM runs WHERE sweep_id = sweeps.id AND state IN ('queued', 'running'))")
        .bind(1, to_ms(at))
        .bind(2, baseline_arm)
        .step();
}

}  // namespace chimera::service
