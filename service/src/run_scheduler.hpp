#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "run_pipeline.hpp"

namespace chimera::service {

class run_store;
class run_cancellation;

enum class cancel_outcome { cancelled, cancelling, already_finished };

/// A bounded queue of accepted runs and the workers that execute them,
/// at most `workers` at once. Owned by and used on the io thread only.
class run_scheduler {
public:
    run_scheduler(boost::asio::any_io_executor executor,
                  run_store& store,
                  run_pipeline_services services,
                  std::size_t workers,
                  std::size_t capacity);
    ~run_scheduler();
    run_scheduler(const run_scheduler&) = delete;
    run_scheduler& operator=(const run_scheduler&) = delete;

    /// Queues a run already in the store; false when the queue is full.
    [[nodiscard]] bool try_enqueue(const std::string& id, std::filesystem::path data_dir);

    /// A client's wait before retrying a refused submission: the queue's
    /// drain time at the mean run duration seen so far.
    [[nodiscard]] std::chrono::seconds retry_after() const;

    void start();

    /// Cancels a run: a queued one is marked cancelled at once and never started; a
    /// running one has its backend stream closed and ends cancelled shortly after.
    cancel_outcome cancel(core::run_document& run);

    /// Takes no more runs, cancels the running ones, and calls `on_drained` once every
    /// worker has exited. Runs still queued stay queued.
    void stop(std::function<void()> on_drained);

    [[nodiscard]] std::size_t queued() const { return queued_; }
    [[nodiscard]] std::size_t running() const { return running_; }

private:
    struct queued_run;
    class channel;

    awaitable<void> work();
    awaitable<void> execute(const std::string& id, std::filesystem::path data_dir);
    void publish_gauges() const;
    void worker_exited();
    void persist(const core::run_document& run, std::string report);

    run_store& store_;
    run_pipeline_services services_;
    std::size_t workers_;
    std::unique_ptr<channel> queue_;
    std::map<std::string, run_cancellation*, std::less<>> running_runs_;
    std::function<void()> on_drained_;
    std::size_t active_workers_ = 0;
    bool stopping_ = false;
    std::size_t queued_ = 0;
    std::size_t running_ = 0;
    double mean_run_seconds_ = 1.0;
    std::size_t finished_ = 0;
};

}  // namespace chimera::service
