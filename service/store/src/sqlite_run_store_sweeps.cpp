// The sweep_store half of sqlite_run_store: sweeps live in the runs' database so that a
// sweep and its runs commit together and the claim sees both.
#include "chimera/store/sqlite_run_store.hpp"
#include "sqlite_run_rows.hpp"

namespace chimera::service {
namespace {

using sqlite_rows::from_ms;
using sqlite_rows::text;
using sqlite_rows::to_ms;

// Progress is counted in the same query, so a list page costs one statement.
constexpr std::string_view select_sweeps =
    "SELECT s.seq, s.id, s.state, s.model, s.label, s.spec, s.cooldown_ms, s.created_ms, s.started_ms, "
    "s.finished_ms, count(r.seq), coalesce(sum(r.state = 'queued'), 0), coalesce(sum(r.state = 'running'), 0), "
    "coalesce(sum(r.state = 'succeeded'), 0), coalesce(sum(r.state = 'failed'), 0), "
    "coalesce(sum(r.state = 'cancelled'), 0) FROM sweeps s LEFT JOIN runs r ON r.sweep_id = s.id ";

stored_sweep read_sweep(const sqlite_statement& row) {
    stored_sweep sweep;
    sweep.seq = row.integer(0);
    sweep.id = row.text(1);
    sweep.status = core::parse_run_status(row.text(2)).value_or(core::run_status::failed);
    sweep.model = row.text(3);
    sweep.label = row.optional_text(4);
    sweep.spec = row.text(5);
    sweep.cooldown = std::chrono::milliseconds{row.integer(6)};
    sweep.created_at = from_ms(row.integer(7));
    if (const auto started = row.optional_integer(8)) sweep.started_at = from_ms(*started);
    if (const auto finished = row.optional_integer(9)) sweep.finished_at = from_ms(*finished);
    sweep.progress = {row.integer(10), row.integer(11), row.integer(12),
                      row.integer(13), row.integer(14), row.integer(15)};
    return sweep;
}

}  // namespace

stored_sweep sqlite_run_store::submit_sweep(const sweep_submission& submission) {
    sqlite_transaction transaction{db_};
    db_.prepare(
           "INSERT INTO sweeps (id, state, model, label, spec, cooldown_ms, created_ms) "
           "VALUES (?, 'queued', ?, ?, ?, ?, ?)")
        .bind(1, submission.id)
        .bind(2, submission.model)
        .bind(3, submission.label)
        .bind(4, submission.spec)
        .bind(5, static_cast<std::int64_t>(submission.cooldown.count()))
        .bind(6, to_ms(submission.created_at))
        .step();
    auto insert = db_.prepare(
        "INSERT INTO runs (id, state, model, label, request, created_ms, sweep_id, sweep_index, sweep_arm) "
        "VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?)");
    const std::string label = "sweep:" + submission.id;
    for (std::size_t index = 0; index < submission.runs.size(); ++index) {
        const auto& run = submission.runs[index];
        insert.reset();
        insert.bind(1, run.id)
            .bind(2, submission.model)
            .bind(3, label)
            .bind(4, run.request)
            .bind(5, to_ms(submission.created_at))
            .bind(6, submission.id)
            .bind(7, static_cast<std::int64_t>(index))
            .bind(8, run.arm)
            .step();
    }
    transaction.commit();
    auto stored = find_sweep(submission.id);
    if (!stored) throw store_error("run store: sweep " + submission.id + " vanished after its insert");
    return std::move(*stored);
}

std::optional<stored_sweep> sqlite_run_store::find_sweep(std::string_view id) {
    auto query = db_.prepare(std::string{select_sweeps} + "WHERE s.id = ? GROUP BY s.seq");
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return read_sweep(query);
}

std::vector<stored_sweep> sqlite_run_store::list_sweeps(const sweep_filter& filter) {
    auto query = db_.prepare(std::string{select_sweeps} +
                             "WHERE (?1 IS NULL OR s.state = ?1) AND (?2 IS NULL OR s.seq < ?2) "
                             "GROUP BY s.seq ORDER BY s.seq DESC LIMIT ?3");
    query.bind(1, filter.status ? std::optional{text(*filter.status)} : std::nullopt);
    query.bind(2, filter.before_seq);
    query.bind(3, static_cast<std::int64_t>(filter.limit));
    std::vector<stored_sweep> sweeps;
    while (query.step()) sweeps.push_back(read_sweep(query));
    return sweeps;
}

std::vector<stored_run> sqlite_run_store::sweep_runs(std::string_view id) {
    auto query = db_.prepare(sqlite_rows::select_runs("WHERE sweep_id = ? ORDER BY sweep_index"));
    query.bind(1, id);
    std::vector<stored_run> runs;
    while (query.step()) runs.push_back(sqlite_rows::read_run(query));
    return runs;
}

sweep_cancellation sqlite_run_store::cancel_sweep(std::string_view id, core::wall_time at) {
    sweep_cancellation result;
    sqlite_transaction transaction{db_};
    const auto found = find_sweep(id);
    if (!found) return result;
    result.found = true;
    result.already_finished = core::is_terminal(found->status);
    if (result.already_finished) return result;
    db_.prepare("UPDATE sweeps SET cancel_requested = 1 WHERE id = ?").bind(1, id).step();
    db_.prepare(
           "UPDATE runs SET state = 'cancelled', finished_ms = ?1, error_type = 'cancelled', "
           "error_detail = 'its sweep was cancelled before the run started' WHERE sweep_id = ?2 AND state = 'queued'")
        .bind(1, to_ms(at))
        .bind(2, id)
        .step();
    result.queued_cancelled = static_cast<std::size_t>(db_.changes());
    auto running = db_.prepare("SELECT id FROM runs WHERE sweep_id = ? AND state = 'running'");
    running.bind(1, id);
    while (running.step()) result.running.push_back(running.text(0));
    settle_sweeps(at);
    transaction.commit();
    return result;
}

}  // namespace chimera::service
