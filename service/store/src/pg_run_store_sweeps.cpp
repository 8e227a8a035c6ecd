// The sweep_store half of pg_run_store: sweeps live in the runs' database so that a sweep and its runs commit
// together and the claim sees both.
#include "chimera/store/pg_run_store.hpp"
#include "chimera/store/store_channels.hpp"
#include "pg_connection_pool.hpp"
#include "pg_run_rows.hpp"
#include "pg_transaction.hpp"

namespace chimera::service {
namespace {

using pg_rows::text;

// Progress is counted in the same query, so a list page costs one statement.
constexpr std::string_view select_sweeps =
    "SELECT s.seq, s.id, s.state, s.model, s.label, s.spec, s.cooldown_ms, s.created_ms, s.started_ms, "
    "s.finished_ms, count(r.seq), count(r.seq) FILTER (WHERE r.state = 'queued'), "
    "count(r.seq) FILTER (WHERE r.state = 'running'), count(r.seq) FILTER (WHERE r.state = 'succeeded'), "
    "count(r.seq) FILTER (WHERE r.state = 'failed'), count(r.seq) FILTER (WHERE r.state = 'cancelled') "
    "FROM sweeps s LEFT JOIN runs r ON r.sweep_id = s.id ";

std::string sweeps_where(std::string_view rest) {
    std::string sql{select_sweeps};
    sql.append(rest);
    return sql;
}

stored_sweep read_sweep(const pg_result& result, int row, std::int64_t clock_offset_ms) {
    const auto local = [clock_offset_ms](std::int64_t ms) { return pg_rows::from_ms(ms - clock_offset_ms); };
    stored_sweep sweep;
    sweep.seq = result.integer(row, 0);
    sweep.id = result.text(row, 1);
    sweep.status = core::parse_run_status(result.text(row, 2)).value_or(core::run_status::failed);
    sweep.model = result.text(row, 3);
    sweep.label = result.optional_text(row, 4);
    sweep.spec = result.text(row, 5);
    sweep.cooldown = std::chrono::milliseconds{result.integer(row, 6)};
    sweep.created_at = local(result.integer(row, 7));
    if (const auto started = result.optional_integer(row, 8)) sweep.started_at = local(*started);
    if (const auto finished = result.optional_integer(row, 9)) sweep.finished_at = local(*finished);
    sweep.progress = {result.integer(row, 10), result.integer(row, 11), result.integer(row, 12),
                      result.integer(row, 13), result.integer(row, 14), result.integer(row, 15)};
    return sweep;
}

}  // namespace

stored_sweep pg_run_store::submit_sweep(const sweep_submission& submission) {
    static const std::string insert_sweep =
        "INSERT INTO sweeps (id, state, model, label, spec, cooldown_ms, created_ms) "
        "VALUES ($1, 'queued', $2, $3, $4, $5, $6)";
    static const std::string insert_run =
        "INSERT INTO runs (id, state, model, label, request, created_ms, sweep_id, sweep_index, sweep_arm) "
        "VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8)";
    const auto created = db_ms(submission.created_at);
    std::string label = "sweep:";
    label.append(submission.id);
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    connection->query(insert_sweep, pg_params{}
                                        .add(submission.id)
                                        .add(submission.model)
                                        .add(submission.label)
                                        .add(submission.spec)
                                        .add(static_cast<std::int64_t>(submission.cooldown.count()))
                                        .add(created));
    for (std::size_t index = 0; index < submission.runs.size(); ++index) {
        const auto& run = submission.runs[index];
        connection->query(insert_run, pg_params{}
                                          .add(run.id)
                                          .add(submission.model)
                                          .add(label)
                                          .add(run.request)
                                          .add(created)
                                          .add(submission.id)
                                          .add(static_cast<std::int64_t>(index))
                                          .add(run.arm));
    }
    // Read back before the commit: once committed, another replica may already be running it,
    // and the caller answers for the sweep as it was accepted.
    auto stored = find_sweep(*connection, submission.id);
    if (!stored) {
        std::string message = "run store: sweep ";
        message.append(submission.id).append(" vanished after its insert");
        throw store_error(message);
    }
    connection->query("SELECT pg_notify($1, '')", pg_params{}.add(work_channel));
    transaction.commit();
    return std::move(*stored);
}

std::optional<stored_sweep> pg_run_store::find_sweep(std::string_view id) { return find_sweep(*pool_->acquire(), id); }

std::optional<stored_sweep> pg_run_store::find_sweep(pg_connection& connection, std::string_view id) {
    static const std::string sql = sweeps_where("WHERE s.id = $1 GROUP BY s.seq");
    const auto result = connection.query(sql, pg_params{}.add(id));
    if (result.rows() == 0) return std::nullopt;
    return read_sweep(result, 0, clock_offset_ms_.load());
}

std::vector<stored_sweep> pg_run_store::list_sweeps(const sweep_filter& filter) {
    static const std::string sql = sweeps_where(
        "WHERE ($1::text IS NULL OR s.state = $1) AND ($2::bigint IS NULL OR s.seq < $2) "
        "GROUP BY s.seq ORDER BY s.seq DESC LIMIT $3");
    const auto result =
        pool_->acquire()->query(sql, pg_params{}
                                         .add(filter.status ? std::optional{text(*filter.status)} : std::nullopt)
                                         .add(filter.before_seq)
                                         .add(static_cast<std::int64_t>(filter.limit)));
    std::vector<stored_sweep> sweeps;
    const auto offset = clock_offset_ms_.load();
    for (int row = 0; row < result.rows(); ++row) sweeps.push_back(read_sweep(result, row, offset));
    return sweeps;
}

std::vector<stored_run> pg_run_store::sweep_runs(std::string_view id) {
    static const std::string sql = pg_rows::select_runs("WHERE sweep_id = $1 ORDER BY sweep_index");
    const auto result = pool_->acquire()->query(sql, pg_params{}.add(id));
    std::vector<stored_run> runs;
    const auto offset = clock_offset_ms_.load();
    for (int row = 0; row < result.rows(); ++row) runs.push_back(pg_rows::read_run(result, row, offset));
    return runs;
}

sweep_cancellation pg_run_store::cancel_sweep(std::string_view id, core::wall_time at) {
    // The sweep's row stays locked to the end, so two cancellations (or a claim's start of it) take turns.
    static const std::string lock = "SELECT state FROM sweeps WHERE id = $1 FOR UPDATE";
    static const std::string flag = "UPDATE sweeps SET cancel_requested = true WHERE id = $1";
    static const std::string cancel_queued_runs =
        "UPDATE runs SET state = 'cancelled', finished_ms = $1, error_type = 'cancelled', "
        "error_detail = 'its sweep was cancelled before the run started' WHERE sweep_id = $2 AND state = 'queued'";
    static const std::string running =
        "SELECT id, pg_notify($2, id) FROM runs WHERE sweep_id = $1 AND state = 'running' ORDER BY sweep_index";
    sweep_cancellation result;
    auto connection = pool_->acquire();
    pg_transaction transaction{*connection};
    const auto state = connection->query(lock, pg_params{}.add(id));
    if (state.rows() == 0) return result;
    result.found = true;
    result.already_finished =
        core::is_terminal(core::parse_run_status(state.text(0, 0)).value_or(core::run_status::failed));
    if (result.already_finished) return result;
    connection->query(flag, pg_params{}.add(id));
    result.queued_cancelled =
        static_cast<std::size_t>(connection->query(cancel_queued_runs, pg_params{}.add(db_ms(at)).add(id)).affected());
    const auto still_running = connection->query(running, pg_params{}.add(id).add(cancel_channel));
    for (int row = 0; row < still_running.rows(); ++row) result.running.push_back(still_running.text(row, 0));
    settle_sweeps(*connection, at);
    connection->query("SELECT pg_notify($1, '')", pg_params{}.add(work_channel));
    transaction.commit();
    return result;
}

}  // namespace chimera::service
