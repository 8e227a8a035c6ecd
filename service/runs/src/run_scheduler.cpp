#include "chimera/runs/run_scheduler.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/run/agent_report_renderer.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/runs/data_root.hpp"
#include "chimera/runs/run_artifacts.hpp"
#include "chimera/runs/run_event_messages.hpp"
#include "chimera/runs/run_events.hpp"
#include "chimera/store/stored_run_document.hpp"
#include "chimera/telemetry/log.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

/// A run executing here, or one that ended and waits for its completion to be written (the
/// store could not write: a full disk). It keeps its lease and its place here until then, so
/// its result is served from memory, recovery does not take it for an orphan, and nothing of
/// it is lost.
struct run_scheduler::live_run {
    core::run_document run;
    run_cancellation cancellation;
    struct pending_completion {
        std::string report;
        std::string agent_report;
        bool recorded = false;  ///< in the store; only its files are left to write
        bool writing = false;   ///< a write is in flight: the retry leaves it alone
        /// Its end may be shown: recorded, or held here because the store could not write it.
        /// Before, another replica would still answer its report 409 and its document `running`.
        bool shown = false;
    };
    std::optional<pending_completion> pending;
};

/// Wakes idle workers when runs arrive. A signal sent while every worker is busy
/// stays buffered (up to one per worker); a worker always looks at the store before
/// it waits, so no arrival is missed.
class run_scheduler::wakeup_channel : public asio::experimental::channel<void(boost::system::error_code)> {
    using asio::experimental::channel<void(boost::system::error_code)>::channel;
};

namespace {

core::wall_time now() { return std::chrono::system_clock::now(); }

void fail_before_start(core::run_document& run, core::failure_type type, std::string detail) {
    run.status = core::run_status::failed;
    run.stage = core::run_stage::ingest;
    run.started_at = now();
    run.finished_at = run.started_at;
    run.error = core::run_error{type, std::move(detail)};
}

core::run_document starting_document(const stored_run& claimed) {
    try {
        return document_from_request(claimed);
    } catch (const store_error& e) {
        core::run_document run;
        run.id = claimed.id;
        run.model = claimed.model;
        run.created_at = claimed.created_at;
        run.attempt = claimed.attempt;
        run.handed_back = claimed.handbacks;
        fail_before_start(run, core::failure_type::invalid_stored_request, e.what());
        return run;
    }
}

/// The data_dir is resolved beneath the roots again at start: the run may have waited
/// in the queue through a restart with other roots, or the tree changed since.
std::optional<std::filesystem::path> resolve_data_dir(const data_root* roots, core::run_document& run) {
    if (run.status == core::run_status::failed) return std::nullopt;
    if (roots == nullptr) return std::filesystem::path{run.data_dir};
    auto resolved = roots->resolve(run.data_dir);
    if (auto* refusal = std::get_if<data_dir_refusal>(&resolved)) {
        fail_before_start(run, core::failure_type::data_dir_refused, std::move(refusal->detail));
        return std::nullopt;
    }
    return std::get<std::filesystem::path>(std::move(resolved));
}

/// A run with the same key was committed first, by this replica or another: the request
/// that lost the race replays it, or conflicts with it.
submit_result replay_or_conflict(stored_run existing, const run_submission& submission) {
    const bool same = existing.request == submission.request && existing.model == submission.model;
    return {same ? submit_status::replayed : submit_status::idempotency_conflict, std::move(existing)};
}

}  // namespace

run_scheduler::run_scheduler(asio::any_io_executor executor,
                             run_store& store,
                             sweep_store& sweeps,
                             const run_artifacts& artifacts,
                             run_pipeline_services services,
                             scheduler_settings settings,
                             run_executor execute_runs,
                             store_calls calls)
    : store_(store),
      sweeps_(sweeps),
      artifacts_(artifacts),
      services_(services),
      settings_(std::move(settings)),
      run_executor_(std::move(execute_runs)),
      calls_(calls),
      wakeup_(std::make_unique<wakeup_channel>(executor, std::max<std::size_t>(settings_.workers, 1))),
      lease_timer_(executor),
      drain_timer_(executor),
      cooldown_timer_(executor) {
    settings_.workers = std::max<std::size_t>(settings_.workers, 1);
    if (!run_executor_) {
        run_executor_ = [this](core::run_document& run, std::filesystem::path data_dir,
                               run_cancellation& cancellation) {
            return execute_run(services_, run, std::move(data_dir), cancellation);
        };
    }
}

run_scheduler::~run_scheduler() = default;

awaitable<submit_result> run_scheduler::submit(run_submission submission) {
    if (submission.idempotency_key) {
        const auto& key = *submission.idempotency_key;
        auto existing = co_await calls_([&] { return store_.find_by_idempotency_key(key); });
        if (existing) co_return replay_or_conflict(std::move(*existing), submission);
    }
    if (draining_) co_return submit_result{submit_status::draining, std::nullopt};
    if (queued_ >= settings_.capacity) co_return submit_result{submit_status::queue_full, std::nullopt};
    auto run = co_await calls_([&] { return store_.submit(submission); });
    if (run.id != submission.id) co_return replay_or_conflict(std::move(run), submission);
    ++queued_;
    publish_gauges();
    wake_worker();
    co_return submit_result{submit_status::accepted, std::move(run)};
}

awaitable<sweep_submit_result> run_scheduler::submit_sweep(sweep_submission submission) {
    if (draining_) co_return sweep_submit_result{submit_status::draining, std::nullopt};
    if (queued_ + submission.runs.size() > settings_.capacity) {
        co_return sweep_submit_result{submit_status::queue_full, std::nullopt};
    }
    auto sweep = co_await calls_([&] { return sweeps_.submit_sweep(submission); });
    queued_ += submission.runs.size();
    publish_gauges();
    wake_worker();
    co_return sweep_submit_result{submit_status::accepted, std::move(sweep)};
}

std::chrono::seconds run_scheduler::retry_after() const {
    const double drain = static_cast<double>(queued_) / static_cast<double>(settings_.workers) * mean_run_seconds_;
    return std::chrono::seconds{std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(drain)))};
}

void run_scheduler::start() {
    asio::co_spawn(lease_timer_.get_executor(), begin(), [](const std::exception_ptr& failure) {
        if (failure) spdlog::critical("the run scheduler could not start its workers");
    });
}

awaitable<void> run_scheduler::begin() {
    co_await recover();
    if (draining_) co_return;
    for (std::size_t i = 0; i < settings_.workers; ++i) {
        ++active_workers_;
        asio::co_spawn(wakeup_->get_executor(), work(), [this](const std::exception_ptr& failure) {
            if (failure) {
                spdlog::critical("a run worker stopped unexpectedly");
            }
            worker_exited();
        });
    }
    asio::co_spawn(lease_timer_.get_executor(), keep_leases(), [](const std::exception_ptr& failure) {
        if (failure) {
            spdlog::critical("the lease keeper stopped unexpectedly: running runs may be taken up twice");
        }
    });
}

bool run_scheduler::cancel_live(std::string_view id) {
    const auto it = live_runs_.find(id);
    if (it == live_runs_.end() || it->second->pending) return false;
    log_run_event(log_level::info, id, core::to_string(it->second->run.stage), "cancelling the running run",
                  request_id_of(it->second->run));
    it->second->cancellation.cancel(core::cancel_reason::user);
    return true;
}

awaitable<cancel_outcome> run_scheduler::cancel(std::string id) {
    if (const auto it = live_runs_.find(id); it != live_runs_.end()) {
        co_return cancel_live(id) ? cancel_outcome::cancelling : cancel_outcome::already_finished;
    }
    const auto at = settings_.clock();
    if (co_await calls_([&] { return store_.cancel_queued(id, at); })) {
        log_run_event(log_level::info, id, "queued", "run cancelled before it started");
        queued_ = queued_ > 0 ? queued_ - 1 : 0;
        services_.metrics.observe_run_finished(core::run_status::cancelled);
        publish_gauges();
        co_await publish_ending(id);
        co_return cancel_outcome::cancelled;
    }
    if (co_await calls_([&] { return store_.request_cancel(id); })) {
        co_return cancel_outcome::cancelling;  // running in another process: the store tells its owner
    }
    const bool known = (co_await calls_([&] { return store_.find(id); })).has_value();
    co_return known ? cancel_outcome::already_finished : cancel_outcome::not_found;
}

awaitable<sweep_cancellation> run_scheduler::cancel_sweep(std::string id) {
    const auto at = settings_.clock();
    auto cancellation = co_await calls_([&] { return sweeps_.cancel_sweep(id, at); });
    if (cancellation.queued_cancelled > 0) {
        log_event(log_level::info, "sweep cancelled; its queued runs will not start",
                  {{"sweep_id", id}, {"runs_cancelled", static_cast<std::int64_t>(cancellation.queued_cancelled)}});
        queued_ -= std::min(queued_, cancellation.queued_cancelled);
        for (std::size_t i = 0; i < cancellation.queued_cancelled; ++i) {
            services_.metrics.observe_run_finished(core::run_status::cancelled);
        }
        publish_gauges();
    }
    for (const auto& run : cancellation.running) co_await cancel(run);
    wake_worker();  // the head of the queue changed
    co_return cancellation;
}

const core::run_document* run_scheduler::live(std::string_view id) const {
    const auto it = live_runs_.find(id);
    return it == live_runs_.end() ? nullptr : &it->second->run;
}

/// A run that ended shows as running until its end may be shown (live_run::pending_completion::shown).
nlohmann::json run_scheduler::live_document(const live_run& live) {
    auto document = core::to_json(live.run);
    if (core::is_terminal(live.run.status) && !(live.pending && live.pending->shown)) {
        document["status"] = core::to_string(core::run_status::running);
    }
    return document;
}

awaitable<std::optional<nlohmann::json>> run_scheduler::document_json(std::string id) {
    if (const auto it = live_runs_.find(id); it != live_runs_.end()) co_return live_document(*it->second);
    const auto stored = co_await calls_([&] { return store_.find(id); });
    if (stored) co_return stored_run_json(*stored);
    co_return std::nullopt;
}

awaitable<std::optional<std::string>> run_scheduler::document_text(std::string id) {
    if (const auto it = live_runs_.find(id); it != live_runs_.end()) {
        co_return core::json_text(live_document(*it->second));
    }
    const auto stored = co_await calls_([&] { return store_.find(id); });
    if (stored) co_return stored_run_text(*stored);
    co_return std::nullopt;
}

void run_scheduler::drain(std::chrono::milliseconds timeout, std::function<void()> on_drained) {
    draining_ = true;
    on_drained_ = std::move(on_drained);
    wakeup_->close();  // idle workers exit; busy ones exit after their run
    drain_timer_.expires_after(timeout);
    drain_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) stop_running_runs("still running at the end of the drain timeout; handing it back to the queue");
    });
    if (active_workers_ == 0) worker_exited();
}

void run_scheduler::hand_back_now() {
    if (!draining_) return;
    drain_timer_.cancel();
    stop_running_runs("the drain was cut short; handing it back to the queue");
}

void run_scheduler::stop_running_runs(std::string_view why) {
    for (auto& [id, live] : live_runs_) {
        if (live->pending) continue;  // it ended already
        log_run_event(log_level::warn, id, core::to_string(live->run.stage), why, request_id_of(live->run));
        live->cancellation.cancel(core::cancel_reason::drain);
    }
}

void run_scheduler::worker_exited() {
    if (active_workers_ > 0) --active_workers_;
    if (active_workers_ == 0 && draining_) {
        drain_timer_.cancel();
        lease_timer_.cancel();
        cooldown_timer_.cancel();
        if (on_drained_) std::exchange(on_drained_, nullptr)();
    }
}

/// Wakes one idle worker; a worker that claims a run passes the signal on (see execute).
/// Waking every worker cost each of them a claim and a cool-down query per arrival, a number
/// of store queries quadratic in the runs at once (docs/benchmarks.md, "What the suite found").
void run_scheduler::wake_worker() { wakeup_->try_send(boost::system::error_code{}); }

/// Idle workers wait for a signal; a sweep's cool-down ending is one nobody else sends.
awaitable<void> run_scheduler::wake_after_cooldown() {
    std::optional<core::wall_time> until;
    try {
        until = co_await calls_([&] { return store_.cooldown_until(); });
    } catch (const store_error& e) {
        spdlog::error("cannot read the cool-down of the next sweep run: {}", e.what());
    }
    if (!until || *until <= settings_.clock()) co_return;
    cooldown_timer_.expires_after(std::chrono::ceil<std::chrono::milliseconds>(*until - settings_.clock()));
    cooldown_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) wake_worker();
    });
}

void run_scheduler::publish_gauges() const {
    services_.metrics.set_runs_queued(queued_);
    services_.metrics.set_runs_running(live_runs_.size());
}

core::wall_time run_scheduler::lease_deadline() const { return settings_.clock() + settings_.lease; }

/// Nullopt when nothing is claimable now; a store_error when the store cannot say.
awaitable<std::optional<stored_run>> run_scheduler::claim() {
    const auto until = lease_deadline();
    const auto at = settings_.clock();
    co_return co_await calls_([&] { return store_.claim_next(settings_.owner, until, at); });
}

awaitable<void> run_scheduler::work() {
    while (!draining_) {
        bool store_failed = false;
        std::optional<stored_run> claimed;
        try {
            claimed = co_await claim();
        } catch (const store_error& e) {
            store_failed = true;
            spdlog::error("cannot take the next run from the store (tried again within {} s): {}",
                          std::chrono::ceil<std::chrono::seconds>(settings_.lease / 3).count(), e.what());
        }
        if (claimed) {
            co_await execute(std::move(*claimed));
            continue;
        }
        if (!store_failed) co_await wake_after_cooldown();
        auto [ec] = co_await wakeup_->async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

awaitable<void> run_scheduler::execute(stored_run claimed) {
    queued_ = queued_ > 0 ? queued_ - 1 : 0;
    // The next run may be claimable too: the chain of wake-ups stops at the first worker
    // that finds none, so an arrival or an ending costs one failed claim, not one per worker.
    if (queued_ > 0) wake_worker();
    auto owned = std::make_unique<live_run>(live_run{starting_document(claimed), {}, std::nullopt});
    live_run& live = *owned;
    live.run.executed_by = settings_.owner;
    live_runs_.emplace(claimed.id, std::move(owned));
    publish_gauges();
    const auto data_dir = resolve_data_dir(services_.roots, live.run);
    std::string report;
    if (data_dir) {
        report = co_await run_executor_(live.run, *data_dir, live.cancellation);
    }
    co_await finish(live, std::move(report));
}

awaitable<void> run_scheduler::finish(live_run& live, std::string report) {
    const std::string id = live.run.id;
    ++finished_;
    const double seconds = live.run.timings.total_seconds.value_or(0);
    mean_run_seconds_ += (seconds - mean_run_seconds_) / static_cast<double>(finished_);
    const auto stopped_by = live.cancellation.reason();
    if (stopped_by == core::cancel_reason::lease_lost) {
        log_run_event(log_level::warn, id, core::to_string(live.run.stage),
                      "attempt " + std::to_string(live.run.attempt) + " lost its lease; its result is discarded",
                      request_id_of(live.run));
    } else if (stopped_by == core::cancel_reason::drain && live.run.status == core::run_status::cancelled) {
        co_await hand_back(live);
    } else {
        live.pending =
            live_run::pending_completion{std::move(report), core::render_agent_report(live.run), false, false};
        if (!co_await complete_pending(live)) co_return;
    }
    end_live_run(id);
}

awaitable<void> run_scheduler::hand_back(live_run& live) {
    const auto& id = live.run.id;
    const auto attempt = live.run.attempt;
    try {
        if (co_await calls_([&] { return store_.release(id, attempt); })) {
            ++queued_;
            log_run_event(log_level::info, id, core::to_string(live.run.stage),
                          "handed back to the queue by the drain; it runs again after the restart, and "
                          "this execution does not count toward --max-attempts",
                          request_id_of(live.run));
        }
        publish_requeued(live.run);
    } catch (const store_error& e) {
        log_run_event(log_level::error, id, core::to_string(live.run.stage),
                      std::string{"the run ended but could not be handed back: "} + e.what(), request_id_of(live.run));
    }
}

void run_scheduler::end_live_run(const std::string& id) {
    live_runs_.erase(id);
    publish_gauges();
    wake_worker();  // runs that waited for this one to end (a sweep's, or others behind one)
}

awaitable<bool> run_scheduler::complete_pending(live_run& live) {
    auto& pending = *live.pending;
    const auto& run = live.run;
    pending.writing = true;
    bool done = false;
    try {
        if (!pending.recorded) {
            pending.recorded = true;
            if (!co_await record_completion(run, pending.report, pending.agent_report)) {
                pending.writing = false;
                co_return true;
            }
            pending.shown = true;
        }
        artifacts_.write(run, pending.report, pending.agent_report);
        done = true;
    } catch (const store_error& e) {
        pending.recorded = false;
        pending.shown = true;
        log_run_event(
            log_level::error, run.id, core::to_string(run.stage),
            std::string{"the run ended, but its result cannot be recorded yet (retried until it can): "} + e.what(),
            request_id_of(run));
    } catch (const std::filesystem::filesystem_error& e) {
        log_run_event(log_level::error, run.id, core::to_string(run.stage),
                      std::string{"recorded, but its files cannot be written to the state directory yet (retried "
                                  "until they can): "} +
                          e.what(),
                      request_id_of(run));
    }
    pending.writing = false;
    co_return done;
}

/// The ids are taken first: while a write is in flight, other runs may end and leave.
awaitable<void> run_scheduler::retry_pending_completions() {
    std::vector<std::string> waiting;
    for (const auto& [id, live] : live_runs_) {
        if (live->pending && !live->pending->writing) waiting.push_back(id);
    }
    for (const auto& id : waiting) {
        const auto it = live_runs_.find(id);
        if (it == live_runs_.end() || !it->second->pending || it->second->pending->writing) continue;
        if (!co_await complete_pending(*it->second)) continue;
        log_run_event(log_level::info, id, "done", "its result, held while the store could not write, is recorded");
        end_live_run(id);
    }
}

bool run_scheduler::has_pending_completions() const {
    return std::any_of(live_runs_.begin(), live_runs_.end(), [](const auto& entry) { return entry.second->pending; });
}

/// False when fenced out: another attempt holds the run, and its result is the one kept.
awaitable<bool> run_scheduler::record_completion(const core::run_document& run,
                                                 const std::string& report,
                                                 const std::string& agent_report) {
    const auto document = core::to_json(run);
    const run_completion completion{run.id,
                                    run.attempt,
                                    run.status,
                                    run.error,
                                    run.finished_at.value_or(settings_.clock()),
                                    core::json_text(document),
                                    report,
                                    agent_report};
    if (!co_await calls_([&] { return store_.complete(completion); })) {
        log_run_event(log_level::warn, run.id, core::to_string(run.stage),
                      "attempt " + std::to_string(run.attempt) + " was fenced out; another attempt holds the run",
                      request_id_of(run));
        co_return false;
    }
    if (services_.events != nullptr) publish_document(*services_.events, run.id, document);
    co_return true;
}

awaitable<void> run_scheduler::publish_ending(std::string id) {
    if (services_.events == nullptr || !services_.events->watched(id)) co_return;
    if (auto document = co_await document_json(id)) publish_document(*services_.events, id, *document);
}

void run_scheduler::publish_requeued(const core::run_document& run) {
    if (services_.events == nullptr) return;
    auto requeued = run;
    requeued.status = core::run_status::queued;
    requeued.stage = core::run_stage::queued;
    publish_status(*services_.events, requeued);
}

awaitable<void> run_scheduler::keep_leases() {
    for (;;) {
        // Results held for a store that could not write are retried every second.
        const auto period = has_pending_completions()
                                ? std::min<std::chrono::milliseconds>(settings_.lease / 3, std::chrono::seconds{1})
                                : settings_.lease / 3;
        lease_timer_.expires_after(period);
        auto [ec] = co_await lease_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        co_await retry_pending_completions();
        co_await renew_leases();
        co_await recover();
        wake_worker();  // runs another replica queued, or recovery put back
    }
}

/// The leases are taken first: while a renewal is in flight, runs may end and leave.
awaitable<void> run_scheduler::renew_leases() {
    std::vector<std::pair<std::string, std::int64_t>> held;
    for (const auto& [id, live] : live_runs_) held.emplace_back(id, live->run.attempt);
    for (const auto& [id, attempt] : held) {
        const auto until = lease_deadline();
        std::optional<lease_status> status;
        try {
            status = co_await calls_([&] { return store_.renew_lease(id, attempt, until); });
        } catch (const store_error& e) {
            log_run_event(log_level::error, id, "running", std::string{"cannot renew its lease: "} + e.what());
        }
        const auto it = live_runs_.find(id);
        if (!status || it == live_runs_.end()) continue;
        if (*status == lease_status::lost) {
            it->second->cancellation.cancel(core::cancel_reason::lease_lost);
        } else if (*status == lease_status::cancel_requested) {
            it->second->cancellation.cancel(core::cancel_reason::user);
        }
    }
}

awaitable<void> run_scheduler::recover() {
    try {
        // A sole owner of the store knows every running row it did not claim itself is
        // an orphan of a dead process: no need to wait for the leases to run out.
        const auto expired_before =
            settings_.sole_owner && live_runs_.empty() ? core::wall_time::max() : settings_.clock();
        // (A run whose result waits to be written is live: its row is not an orphan.)
        const auto max_attempts = settings_.max_attempts;
        const auto counts = co_await calls_([&] { return store_.recover_expired(expired_before, max_attempts); });
        if (counts.requeued + counts.failed + counts.cancelled > 0) {
            spdlog::warn(
                "recovered runs of a stopped process: {} queued again, {} failed (no attempt left), {} cancelled",
                counts.requeued, counts.failed, counts.cancelled);
            services_.metrics.observe_runs_recovered(counts.requeued);
        }
        queued_ = co_await calls_([&] { return store_.count_queued(); });
        publish_gauges();
    } catch (const store_error& e) {
        spdlog::error("cannot recover abandoned runs: {}", e.what());
    }
}

}  // namespace chimera::service
