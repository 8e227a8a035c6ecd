#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json_fwd.hpp>

#include "chimera/runs/run_pipeline.hpp"
#include "chimera/runs/store_calls.hpp"
#include "chimera/store/run_store.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

class run_artifacts;
class run_cancellation;

/// Executes a claimed run to its end and returns its report, as execute_run does (the
/// default); tests give a stand-in they control.
using run_executor = std::function<awaitable<std::string>(
    core::run_document& run, std::filesystem::path data_dir, run_cancellation& cancellation)>;

enum class cancel_outcome { cancelled, cancelling, already_finished, not_found };

struct scheduler_settings {
    std::size_t workers = 2;
    std::size_t capacity = 1000;  ///< queued runs beyond which submissions are refused
    std::chrono::milliseconds lease{30'000};
    std::int64_t max_attempts = 3;
    std::string owner;  ///< this process, as recorded on the runs it claims
    /// This process alone uses the store (it holds the state directory's lock), so at
    /// start every `running` row is an orphan to recover at once, not after its lease.
    bool sole_owner = false;
    /// The wall clock of claims, leases and cool-downs (the store compares them); tests move
    /// it by hand.
    std::function<core::wall_time()> clock = [] { return std::chrono::system_clock::now(); };
};

enum class submit_status { accepted, replayed, idempotency_conflict, queue_full, draining };

struct submit_result {
    submit_status status = submit_status::accepted;
    std::optional<stored_run> run;  ///< the run accepted or replayed
};

struct sweep_submit_result {
    submit_status status = submit_status::accepted;  ///< accepted, queue_full or draining
    std::optional<stored_sweep> sweep;               ///< the sweep accepted
};

/// Executes the runs of the durable store, at most `workers` at once, oldest first;
/// a sweep's runs one at a time with nothing beside them (the store's claim decides).
/// Claims each run with a lease it renews while the run executes, so a run whose
/// process died is taken up again (by recovery here or by another replica) and one
/// that a replica lost is never completed twice. Owned by and used on the io thread.
class run_scheduler {
public:
    run_scheduler(boost::asio::any_io_executor executor,
                  run_store& store,
                  sweep_store& sweeps,
                  const run_artifacts& artifacts,
                  run_pipeline_services services,
                  scheduler_settings settings,
                  run_executor execute_runs = {},
                  store_calls calls = {});
    ~run_scheduler();
    run_scheduler(const run_scheduler&) = delete;
    run_scheduler& operator=(const run_scheduler&) = delete;

    /// Commits a run to the store unless the queue is full or the service is draining.
    /// A known idempotency key replays its run, or conflicts when the request differs.
    [[nodiscard]] awaitable<submit_result> submit(run_submission submission);

    /// Commits a sweep with all its runs unless they do not fit in the queue or the
    /// service is draining.
    [[nodiscard]] awaitable<sweep_submit_result> submit_sweep(sweep_submission submission);

    /// A client's wait before retrying a refused submission: the queue's drain time
    /// at the mean run duration seen so far.
    [[nodiscard]] std::chrono::seconds retry_after() const;

    /// Recovers runs abandoned by a dead process, then starts the workers.
    void start();

    /// A queued run is cancelled at once; a running one has its backend stream closed
    /// and ends cancelled shortly after (on another replica: when its owner hears of it).
    [[nodiscard]] awaitable<cancel_outcome> cancel(std::string id);

    /// Stops a run executing in this process, when another replica asked for it: true when
    /// it executes here.
    bool cancel_live(std::string_view id);

    /// Cancels a sweep's queued runs at once and stops its running one; the sweep turns
    /// `cancelled` when that run has unwound.
    [[nodiscard]] awaitable<sweep_cancellation> cancel_sweep(std::string id);

    /// Looks at the store for claimable work now: another replica queued some, or a run
    /// ended there that a sweep run waited for.
    void work_arrived() { wake_worker(); }

    /// The live document of a run executing in this process, else nullptr.
    [[nodiscard]] const core::run_document* live(std::string_view id) const;

    /// The live document of a run executing here, else the store's.
    [[nodiscard]] awaitable<std::optional<nlohmann::json>> document_json(std::string id);
    /// `GET /runs/{id}`: the same as JSON text.
    [[nodiscard]] awaitable<std::optional<std::string>> document_text(std::string id);

    /// Takes no new runs; lets running runs finish for up to `timeout`, then stops them
    /// and hands them back to the queue; calls `on_drained` once every worker has exited.
    void drain(std::chrono::milliseconds timeout, std::function<void()> on_drained);

    /// During a drain: hands the running runs back to the queue now instead of at its timeout.
    void hand_back_now();
    [[nodiscard]] bool draining() const { return draining_; }

    [[nodiscard]] std::size_t queued() const { return queued_; }
    [[nodiscard]] std::size_t capacity() const { return settings_.capacity; }
    [[nodiscard]] std::size_t running() const { return live_runs_.size(); }

private:
    struct live_run;
    class wakeup_channel;

    awaitable<void> begin();
    awaitable<void> work();
    awaitable<std::optional<stored_run>> claim();
    awaitable<void> execute(stored_run claimed);
    awaitable<void> keep_leases();
    awaitable<void> renew_leases();
    awaitable<void> recover();
    awaitable<void> finish(live_run& live, std::string report);
    [[nodiscard]] static nlohmann::json live_document(const live_run& live);
    awaitable<void> hand_back(live_run& live);
    /// Writes a ended run's result (store, then files); false when it must be retried.
    awaitable<bool> complete_pending(live_run& live);
    awaitable<void> retry_pending_completions();
    [[nodiscard]] bool has_pending_completions() const;
    void end_live_run(const std::string& id);
    awaitable<bool> record_completion(const core::run_document& run,
                                      const std::string& report,
                                      const std::string& agent_report);
    awaitable<void> publish_ending(std::string id);
    void publish_requeued(const core::run_document& run);
    void wake_worker();
    awaitable<void> wake_after_cooldown();
    void publish_gauges() const;
    void worker_exited();
    void stop_running_runs(std::string_view why);
    [[nodiscard]] core::wall_time lease_deadline() const;

    run_store& store_;
    sweep_store& sweeps_;
    const run_artifacts& artifacts_;
    run_pipeline_services services_;
    scheduler_settings settings_;
    run_executor run_executor_;
    store_calls calls_;
    std::unique_ptr<wakeup_channel> wakeup_;
    boost::asio::steady_timer lease_timer_;
    boost::asio::steady_timer drain_timer_;
    boost::asio::steady_timer cooldown_timer_;
    std::map<std::string, std::unique_ptr<live_run>, std::less<>> live_runs_;
    std::function<void()> on_drained_;
    std::size_t active_workers_ = 0;
    bool draining_ = false;
    std::size_t queued_ = 0;
    double mean_run_seconds_ = 1.0;
    std::size_t finished_ = 0;
};

}  // namespace chimera::service
