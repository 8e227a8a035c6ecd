#include "pg_run_rows.hpp"

namespace chimera::service::pg_rows {

std::string select_runs(std::string_view rest) {
    std::string sql = "SELECT ";
    sql.append(run_columns).append(" FROM runs ").append(rest);
    return sql;
}

stored_run read_run(const pg_result& result, int row, std::int64_t clock_offset_ms) {
    stored_run run;
    run.seq = result.integer(row, 0);
    run.id = result.text(row, 1);
    run.status = core::parse_run_status(result.text(row, 2)).value_or(core::run_status::failed);
    run.attempt = result.integer(row, 3);
    run.model = result.text(row, 4);
    run.label = result.optional_text(row, 5);
    run.request = result.text(row, 6);
    run.created_at = from_ms(result.integer(row, 7) - clock_offset_ms);
    if (const auto finished = result.optional_integer(row, 8)) run.finished_at = from_ms(*finished - clock_offset_ms);
    // A type this version does not know (written by a newer one) reads as an internal error.
    if (const auto type = result.optional_text(row, 9)) {
        run.error = core::run_error{core::parse_failure_type(*type).value_or(core::failure_type::internal_error),
                                    result.text(row, 10)};
    }
    run.document = result.optional_text(row, 11);
    run.sweep_id = result.optional_text(row, 12);
    run.sweep_index = result.optional_integer(row, 13);
    run.handbacks = result.integer(row, 14);
    run.request_id = result.optional_text(row, 15);
    run.owner = result.optional_text(row, 16);
    return run;
}

}  // namespace chimera::service::pg_rows
