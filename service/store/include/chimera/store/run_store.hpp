#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/run/run_document.hpp"

namespace chimera::service {

/// The store could not read or write its database (disk full, corrupt file, …).
class store_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A run as the store holds it. `request` is the canonical JSON of the accepted
/// `POST /runs` body, enough to execute the run again after a crash; `document` is the
/// final run document, present once the run reached a terminal state by running.
struct stored_run {
    std::int64_t seq = 0;  ///< submission order: the queue's order and the list cursor
    std::string id;
    core::run_status status = core::run_status::queued;
    std::int64_t attempt = 0;    ///< executions started (claims), handed-back ones included
    std::int64_t handbacks = 0;  ///< of those, the ones a drain handed back unfinished
    std::string model;
    std::optional<std::string> label;
    std::string request;
    core::wall_time created_at;
    std::optional<core::wall_time> finished_at;
    std::optional<core::run_error> error;
    std::optional<std::string> document;
    std::optional<std::string> sweep_id;      ///< the sweep the run belongs to, if any
    std::optional<std::int64_t> sweep_index;  ///< its place in the sweep's plan
    std::optional<std::string> request_id;    ///< of the request that created it (X-Request-Id)
    std::optional<std::string> owner;         ///< the process that claimed it last, if any
};

struct run_submission {
    std::string id;
    std::string model;
    std::optional<std::string> label;
    std::string request;
    std::optional<std::string> idempotency_key;
    core::wall_time created_at;
    std::optional<std::string> request_id;
};

/// The two Markdown documents of a run.
enum class report_kind {
    llm,    ///< report.md: the model's technical report, under a header
    agent,  ///< agent_report.md: the run report in the reference agents' style
};

/// How a run ended, written once: the update is fenced on the claim's attempt, so a
/// process that lost its claim (its lease expired and another took the run) cannot
/// overwrite the result of the one that holds it.
struct run_completion {
    std::string id;
    std::int64_t attempt = 0;
    core::run_status status = core::run_status::succeeded;
    std::optional<core::run_error> error;
    core::wall_time finished_at;
    std::string document;
    std::string report;  ///< empty when the run did not succeed
    std::string agent_report;
};

struct run_filter {
    std::optional<core::run_status> status;
    std::optional<std::string> label;
    std::optional<std::string> model;
    std::optional<std::int64_t> before_seq;  ///< the cursor: runs submitted before this one
    std::size_t limit = 50;
};

enum class lease_status { held, cancel_requested, lost };

/// What start-up (or a later lease sweep) did with runs whose owner stopped renewing.
struct recovery_counts {
    std::size_t requeued = 0;
    std::size_t failed = 0;
    std::size_t cancelled = 0;
};

/// The durable queue and record of runs. Implementations: SQLite (embedded, one
/// process); the interface is shaped for a shared database with several replicas:
/// work is claimed with a lease that its owner renews, and every state change after
/// the claim is fenced on the attempt number. Calls are synchronous; throws store_error.
class run_store {
public:
    virtual ~run_store() = default;

    /// Commits a queued run before returning it. When another run already holds the submission's
    /// idempotency key (a retry racing its first request, through any replica), commits nothing and
    /// returns that run: its id differs from the submission's. A taken id throws store_error.
    virtual stored_run submit(const run_submission& submission) = 0;
    /// A small committed write: throws store_error when the store cannot write now (a full
    /// disk), so readiness can drop before a request finds out, and rise again after.
    virtual void check_writable() = 0;
    [[nodiscard]] virtual std::optional<stored_run> find(std::string_view id) = 0;
    [[nodiscard]] virtual std::optional<stored_run> find_by_idempotency_key(std::string_view key) = 0;
    /// The report a run's completion recorded, if any.
    [[nodiscard]] virtual std::optional<std::string> report(std::string_view id, report_kind kind) = 0;
    /// Newest first.
    [[nodiscard]] virtual std::vector<stored_run> list(const run_filter& filter) = 0;
    [[nodiscard]] virtual std::size_t count_queued() = 0;

    /// Takes the oldest queued run: running, attempt + 1, leased to `owner` until `lease_until`.
    /// Sweeps measure the machine, so their runs execute alone: while a sweep run is
    /// running nothing is claimed; a sweep run is claimed only when no run is running and
    /// its sweep's cool-down ended by `now`. The queue stays first-in first-out: a blocked
    /// head waits rather than being overtaken, so neither sweeps nor other runs starve.
    [[nodiscard]] virtual std::optional<stored_run> claim_next(std::string_view owner,
                                                               core::wall_time lease_until,
                                                               core::wall_time now) = 0;
    /// When the head of the queue is a sweep run: the end of its sweep's cool-down (in the
    /// past once it ended), before which claim_next takes nothing. Else nullopt.
    [[nodiscard]] virtual std::optional<core::wall_time> cooldown_until() = 0;
    /// `lost` when the run is no longer this attempt's; `cancel_requested` when someone
    /// asked (through any replica) for the run to stop.
    virtual lease_status renew_lease(std::string_view id, std::int64_t attempt, core::wall_time lease_until) = 0;
    /// False when fenced out (claim lost, or already completed).
    virtual bool complete(const run_completion& completion) = 0;
    /// Hands a claimed run back to the queue unfinished (drain on shutdown); the execution is
    /// counted in `handbacks` and does not use up an attempt.
    virtual bool release(std::string_view id, std::int64_t attempt) = 0;

    /// Cancels a run that is still queued; false when it is not.
    virtual bool cancel_queued(std::string_view id, core::wall_time at) = 0;
    /// Asks the owner of a running run to stop (seen by the owner, or by recovery).
    virtual bool request_cancel(std::string_view id) = 0;

    /// Runs whose lease expired before `now`: a requested cancellation ends them
    /// `cancelled`; below `max_attempts` executions that stopped without handing the run back
    /// (attempt - handbacks) they are queued again (in their original order); at it they fail
    /// with a reason.
    virtual recovery_counts recover_expired(core::wall_time now, std::int64_t max_attempts) = 0;
};

}  // namespace chimera::service
