#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "run_pipeline.hpp"

namespace chimera::service {

class run_store;

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

    /// Takes no more runs; workers finish the one they hold and exit.
    void stop();

    [[nodiscard]] std::size_t queued() const { return queued_; }
    [[nodiscard]] std::size_t running() const { return running_; }

private:
    struct queued_run;
    class channel;

    awaitable<void> work();
    void publish_gauges() const;

    run_store& store_;
    run_pipeline_services services_;
    std::size_t workers_;
    std::unique_ptr<channel> queue_;
    std::size_t queued_ = 0;
    std::size_t running_ = 0;
    double mean_run_seconds_ = 1.0;
    std::size_t finished_ = 0;
};

}  // namespace chimera::service
