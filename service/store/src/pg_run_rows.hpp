#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chimera/store/run_store.hpp"
#include "pg_result.hpp"

// Row mapping shared by the PostgreSQL run and sweep stores (one database, one class).
namespace chimera::service::pg_rows {

/// Times are stored as milliseconds since the Unix epoch.
inline std::int64_t to_ms(core::wall_time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline core::wall_time from_ms(std::int64_t ms) { return core::wall_time{std::chrono::milliseconds{ms}}; }

inline std::string text(core::run_status status) { return std::string{core::to_string(status)}; }

/// The columns read_run reads, for SELECT lists and RETURNING clauses.
inline constexpr std::string_view run_columns =
    "seq, id, state, attempt, model, label, request, created_ms, finished_ms, error_type, error_detail, document, "
    "sweep_id, sweep_index, handbacks, request_id, owner";

/// "SELECT <run_columns> FROM runs <rest>".
[[nodiscard]] std::string select_runs(std::string_view rest);

/// Row `row` of a result whose first columns are run_columns; `clock_offset_ms` (database − local) is taken
/// off its times.
[[nodiscard]] stored_run read_run(const pg_result& result, int row, std::int64_t clock_offset_ms);

}  // namespace chimera::service::pg_rows
