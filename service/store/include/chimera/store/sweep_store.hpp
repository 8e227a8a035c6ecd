#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/run/run_document.hpp"
#include "chimera/store/run_store.hpp"

namespace chimera::service {

/// The arm of a sweep run that is the baseline; every other arm is a grid config's label.
inline constexpr std::string_view baseline_arm = "baseline";

/// One run of a sweep as submitted; its position in `sweep_submission::runs` is its
/// place in the sweep's fair order (core::expand_sweep).
struct sweep_run_submission {
    std::string id;
    std::string arm;      ///< "baseline" or the config's label
    std::string request;  ///< canonical POST /runs body, as an ordinary run's
};

struct sweep_submission {
    std::string id;
    std::string model;
    std::optional<std::string> label;
    std::string spec;  ///< canonical JSON of the accepted POST /sweeps body
    std::chrono::milliseconds cooldown{0};
    core::wall_time created_at;
    std::vector<sweep_run_submission> runs;
};

/// How many of a sweep's runs are in each state.
struct sweep_progress {
    std::int64_t total = 0;
    std::int64_t queued = 0;
    std::int64_t running = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
    std::int64_t cancelled = 0;
};

/// A sweep's state uses the run states: queued until its first run starts, running until
/// every run ended, then succeeded (the baseline and at least one config have a successful
/// run), failed (they do not) or cancelled (DELETE /sweeps/{id}).
struct stored_sweep {
    std::int64_t seq = 0;  ///< submission order: the list cursor
    std::string id;
    core::run_status status = core::run_status::queued;
    std::string model;
    std::optional<std::string> label;
    std::string spec;
    std::chrono::milliseconds cooldown{0};
    core::wall_time created_at;
    std::optional<core::wall_time> started_at;
    std::optional<core::wall_time> finished_at;
    sweep_progress progress;
};

struct sweep_filter {
    std::optional<core::run_status> status;
    std::optional<std::int64_t> before_seq;  ///< the cursor: sweeps submitted before this one
    std::size_t limit = 50;
};

/// What cancelling a sweep as a whole did in the store.
struct sweep_cancellation {
    bool found = false;
    bool already_finished = false;
    std::size_t queued_cancelled = 0;
    std::vector<std::string> running;  ///< runs still executing: their owner must stop them
};

/// The durable record of sweeps, in the run store's database: a sweep and its runs are
/// committed together, and its runs are ordinary queued runs (tagged with the sweep) that
/// the run store's claim executes one at a time. Calls are synchronous; throws store_error.
class sweep_store {
public:
    virtual ~sweep_store() = default;

    /// Commits the sweep and all its runs, queued in plan order, in one transaction.
    virtual stored_sweep submit_sweep(const sweep_submission& submission) = 0;
    [[nodiscard]] virtual std::optional<stored_sweep> find_sweep(std::string_view id) = 0;
    /// Newest first.
    [[nodiscard]] virtual std::vector<stored_sweep> list_sweeps(const sweep_filter& filter) = 0;
    /// The sweep's runs in plan order (`sweep_index`).
    [[nodiscard]] virtual std::vector<stored_run> sweep_runs(std::string_view id) = 0;

    /// Cancels the sweep's queued runs in one statement and marks the sweep cancelled; it
    /// turns `cancelled` once the runs it reports as running have ended.
    virtual sweep_cancellation cancel_sweep(std::string_view id, core::wall_time at) = 0;
};

}  // namespace chimera::service
