#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "chimera/store/run_store.hpp"
#include "chimera/store/sqlite_database.hpp"

// Row mapping shared by the SQLite run and sweep stores (one database, one class).
namespace chimera::service::sqlite_rows {

/// Times are stored as milliseconds since the Unix epoch.
inline std::int64_t to_ms(core::wall_time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline core::wall_time from_ms(std::int64_t ms) { return core::wall_time{std::chrono::milliseconds{ms}}; }

inline std::string text(core::run_status status) { return std::string{core::to_string(status)}; }

/// "SELECT <the columns read_run reads> FROM runs <rest>".
[[nodiscard]] std::string select_runs(std::string_view rest);

/// A row selected by select_runs (or returned with its columns).
[[nodiscard]] stored_run read_run(const sqlite_statement& row);

/// The columns read_run reads, for RETURNING clauses.
[[nodiscard]] std::string_view run_columns();

}  // namespace chimera::service::sqlite_rows
