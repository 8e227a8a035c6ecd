#include "sqlite_run_store.hpp"

#include <chrono>

namespace chimera::service {
namespace {

// Version 1. Times are milliseconds since the Unix epoch; `seq` is the submission order.
constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
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
    agent_report     TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_state ON runs (state, seq);
PRAGMA user_version = 1;
)sql";

constexpr std::string_view run_columns =
    "seq, id, state, attempt, model, label, request, created_ms, finished_ms, error_type, error_detail, document";

std::int64_t to_ms(core::wall_time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::wall_time from_ms(std::int64_t ms) { return core::wall_time{std::chrono::milliseconds{ms}}; }

std::string select_runs(std::string_view rest) {
    return "SELECT " + std::string{run_columns} + " FROM runs " + std::string{rest};
}

stored_run read_run(const sqlite_statement& row) {
    stored_run run;
    run.seq = row.integer(0);
    run.id = row.text(1);
    run.status = core::parse_run_status(row.text(2)).value_or(core::run_status::failed);
    run.attempt = row.integer(3);
    run.model = row.text(4);
    run.label = row.optional_text(5);
    run.request = row.text(6);
    run.created_at = from_ms(row.integer(7));
    if (const auto finished = row.optional_integer(8)) run.finished_at = from_ms(*finished);
    if (auto type = row.optional_text(9)) run.error = core::run_error{std::move(*type), row.text(10)};
    run.document = row.optional_text(11);
    return run;
}

std::string text(core::run_status status) { return std::string{core::to_string(status)}; }

}  // namespace

sqlite_run_store::sqlite_run_store(const std::filesystem::path& state_dir) : db_(state_dir / "runs.db") {
    db_.execute("PRAGMA journal_mode = WAL");
    db_.execute("PRAGMA synchronous = NORMAL");
    db_.execute("PRAGMA busy_timeout = 5000");
    db_.execute(schema);
}

stored_run sqlite_run_store::submit(const run_submission& submission) {
    db_.prepare(
           "INSERT INTO runs (id, state, model, label, request, idempotency_key, created_ms) "
           "VALUES (?, 'queued', ?, ?, ?, ?, ?)")
        .bind(1, submission.id)
        .bind(2, submission.model)
        .bind(3, submission.label)
        .bind(4, submission.request)
        .bind(5, submission.idempotency_key)
        .bind(6, to_ms(submission.created_at))
        .step();
    auto stored = find(submission.id);
    if (!stored) throw store_error("run store: run " + submission.id + " vanished after its insert");
    return std::move(*stored);
}

std::optional<stored_run> sqlite_run_store::find_one(std::string_view where_column, std::string_view value) {
    auto query = db_.prepare(select_runs("WHERE " + std::string{where_column} + " = ?"));
    query.bind(1, value);
    if (!query.step()) return std::nullopt;
    return read_run(query);
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
    if (filter.before_seq) {
        query.bind(4, *filter.before_seq);
    } else {
        query.bind_null(4);
    }
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

std::optional<stored_run> sqlite_run_store::claim_next(std::string_view owner, core::wall_time lease_until) {
    // One statement, so two claimers can never take the same run.
    auto claim = db_.prepare(
        "UPDATE runs SET state = 'running', attempt = attempt + 1, owner = ?, lease_until_ms = ? "
        "WHERE seq = (SELECT seq FROM runs WHERE state = 'queued' ORDER BY seq LIMIT 1) RETURNING " +
        std::string{run_columns});
    claim.bind(1, owner).bind(2, to_ms(lease_until));
    if (!claim.step()) return std::nullopt;
    auto run = read_run(claim);
    while (claim.step()) {
    }
    return run;
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
    db_.prepare(
           "UPDATE runs SET state = ?, error_type = ?, error_detail = ?, finished_ms = ?, document = ?, report = ?, "
           "agent_report = ?, owner = NULL, lease_until_ms = NULL WHERE id = ? AND state = 'running' AND attempt = ?")
        .bind(1, text(completion.status))
        .bind(2, completion.error ? std::optional{completion.error->type} : std::nullopt)
        .bind(3, completion.error ? std::optional{completion.error->detail} : std::nullopt)
        .bind(4, to_ms(completion.finished_at))
        .bind(5, completion.document)
        .bind(6, completion.report.empty() ? std::nullopt : std::optional{completion.report})
        .bind(7, completion.agent_report)
        .bind(8, completion.id)
        .bind(9, completion.attempt)
        .step();
    return db_.changes() == 1;
}

bool sqlite_run_store::release(std::string_view id, std::int64_t attempt) {
    db_.prepare(
           "UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL "
           "WHERE id = ? AND state = 'running' AND attempt = ?")
        .bind(1, id)
        .bind(2, attempt)
        .step();
    return db_.changes() == 1;
}

bool sqlite_run_store::cancel_queued(std::string_view id, core::wall_time at) {
    db_.prepare(
           "UPDATE runs SET state = 'cancelled', finished_ms = ?, error_type = 'cancelled', "
           "error_detail = 'the run was cancelled before it started' WHERE id = ? AND state = 'queued'")
        .bind(1, to_ms(at))
        .bind(2, id)
        .step();
    return db_.changes() == 1;
}

bool sqlite_run_store::request_cancel(std::string_view id) {
    db_.prepare("UPDATE runs SET cancel_requested = 1 WHERE id = ? AND state = 'running'").bind(1, id).step();
    return db_.changes() == 1;
}

recovery_counts sqlite_run_store::recover_expired(core::wall_time now, std::int64_t max_attempts) {
    const auto now_ms = to_ms(now);
    constexpr std::string_view expired = "WHERE state = 'running' AND lease_until_ms < ?1";
    recovery_counts counts;
    sqlite_transaction transaction{db_};
    db_.prepare(
           "UPDATE runs SET state = 'cancelled', finished_ms = ?1, owner = NULL, lease_until_ms = NULL, "
           "error_type = 'cancelled', error_detail = 'the run was cancelled while it was being executed' " +
           std::string{expired} + " AND cancel_requested = 1")
        .bind(1, now_ms)
        .step();
    counts.cancelled = static_cast<std::size_t>(db_.changes());
    db_.prepare(
           "UPDATE runs SET state = 'failed', finished_ms = ?1, owner = NULL, lease_until_ms = NULL, "
           "error_type = 'attempts_exhausted', error_detail = 'the process executing the run stopped ' || attempt || "
           "' time(s); no attempt is left (--max-attempts)' " +
           std::string{expired} + " AND attempt >= ?2")
        .bind(1, now_ms)
        .bind(2, max_attempts)
        .step();
    counts.failed = static_cast<std::size_t>(db_.changes());
    db_.prepare("UPDATE runs SET state = 'queued', owner = NULL, lease_until_ms = NULL " + std::string{expired})
        .bind(1, now_ms)
        .step();
    counts.requeued = static_cast<std::size_t>(db_.changes());
    transaction.commit();
    return counts;
}

}  // namespace chimera::service
