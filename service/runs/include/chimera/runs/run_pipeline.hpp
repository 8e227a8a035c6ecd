#pragma once

#include <filesystem>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/run/run_document.hpp"

namespace chimera::service {

class service_metrics;
class run_cancellation;
class data_root;
class run_events;

/// What a run needs from its host (the server or `chimera run`).
struct run_pipeline_services {
    backend_fleet& fleet;                ///< where the run's calls go (backend_fleet::reserve)
    boost::asio::thread_pool& blocking;  ///< file ingestion runs here, never on the io thread
    service_metrics& metrics;
    core::ingest_limits limits;
    /// `chimera serve`'s roots, beneath which data_dir is opened again; none for `chimera run`.
    const data_root* roots = nullptr;
    /// Where stage changes and token deltas go for GET /runs/{id}/events; none for `chimera run`.
    run_events* events = nullptr;
};

/// Executes one run to its end: a stream on a backend (routing; it may wait) → ingest
/// `data_dir` → analysis call → parse → report call (on the same backend and keep-alive
/// connection) → Markdown report. Updates `run` as it
/// goes (status, stage, calls, timings, error) and returns the report, or "" when
/// the run failed or was cancelled. Failures never escape: they end in `run.error`.
/// `run` and `cancellation` must outlive the coroutine; both are only touched on
/// the caller's executor.
awaitable<std::string> execute_run(run_pipeline_services services,
                                   core::run_document& run,
                                   std::filesystem::path data_dir,
                                   run_cancellation& cancellation);

}  // namespace chimera::service
