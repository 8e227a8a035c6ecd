#include "pg_schema.hpp"

#include <array>
#include <string_view>

#include "chimera/store/run_store.hpp"
#include "pg_transaction.hpp"

namespace chimera::service {
namespace {

/// Serialises the migrations of every replica on this database ("chimera" in ASCII).
constexpr std::string_view migration_lock = "SELECT pg_advisory_lock(6298982647102824801)";
constexpr std::string_view migration_unlock = "SELECT pg_advisory_unlock(6298982647102824801)";

// Times are milliseconds since the Unix epoch in the database's clock (pg_run_store.hpp); `seq` is the
// submission order. A sweep's runs are ordinary rows tagged with sweep_id, sweep_index (their place in the
// plan) and sweep_arm. A sweep's not_before_ms is NULL until its first run ends (no cool-down to wait out).
constexpr std::string_view version_1 = R"sql(
CREATE TABLE sweeps (
    seq              BIGSERIAL PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    model            TEXT NOT NULL,
    label            TEXT,
    spec             TEXT NOT NULL,
    cooldown_ms      BIGINT NOT NULL,
    not_before_ms    BIGINT,
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    created_ms       BIGINT NOT NULL,
    started_ms       BIGINT,
    finished_ms      BIGINT
);
CREATE TABLE runs (
    seq              BIGSERIAL PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    attempt          BIGINT NOT NULL DEFAULT 0,
    handbacks        BIGINT NOT NULL DEFAULT 0,
    owner            TEXT,
    lease_until_ms   BIGINT,
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    model            TEXT NOT NULL,
    label            TEXT,
    request          TEXT NOT NULL,
    idempotency_key  TEXT UNIQUE,
    created_ms       BIGINT NOT NULL,
    finished_ms      BIGINT,
    error_type       TEXT,
    error_detail     TEXT,
    document         TEXT,
    report           TEXT,
    agent_report     TEXT,
    sweep_id         TEXT REFERENCES sweeps (id),
    sweep_index      BIGINT,
    sweep_arm        TEXT,
    request_id       TEXT
);
CREATE INDEX runs_by_state ON runs (state, seq);
CREATE INDEX runs_by_sweep ON runs (sweep_id, sweep_index);
CREATE TABLE write_probe (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    at_ms            BIGINT NOT NULL
);
)sql";

/// Migration n (1-based) brings a database of version n - 1 to version n.
constexpr std::array<std::string_view, pg_schema_version> migrations{version_1};

std::int64_t current_version(pg_connection& connection) {
    connection.execute(
        "CREATE TABLE IF NOT EXISTS chimera_schema (version BIGINT NOT NULL, applied_at TIMESTAMPTZ NOT NULL "
        "DEFAULT clock_timestamp())");
    const auto result = connection.execute("SELECT coalesce(max(version), 0) FROM chimera_schema");
    return result.integer(0, 0);
}

void migrate(pg_connection& connection) {
    const auto version = current_version(connection);
    if (version > pg_schema_version) {
        std::string message = "run store: the PostgreSQL database has schema version ";
        message.append(std::to_string(version))
            .append(", newer than the version ")
            .append(std::to_string(pg_schema_version))
            .append(
                " this build reads: run a build at least as new as the one that migrated it, or use another "
                "database");
        throw store_error(message);
    }
    for (auto next = version + 1; next <= pg_schema_version; ++next) {
        pg_transaction transaction{connection};
        connection.execute(migrations[static_cast<std::size_t>(next - 1)]);
        connection.query("INSERT INTO chimera_schema (version) VALUES ($1)", pg_params{}.add(next));
        transaction.commit();
    }
}

}  // namespace

void apply_pg_migrations(pg_connection& connection) {
    connection.execute(migration_lock);
    try {
        migrate(connection);
    } catch (...) {
        if (connection.usable()) connection.execute(migration_unlock);
        throw;
    }
    connection.execute(migration_unlock);
}

}  // namespace chimera::service
