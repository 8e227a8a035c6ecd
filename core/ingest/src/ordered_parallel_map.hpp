#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace chimera::core::detail {

/// Maps tasks to results on worker threads and hands the results back in submission
/// order, on the submitting thread: the work runs in parallel, while whatever consumes
/// the results (and decides when to stop submitting) stays single-threaded and
/// deterministic. At most `window` tasks are in flight, which bounds memory and
/// whatever the tasks hold open. One producer thread; not copyable.
///
/// Tasks of a few microseconds (a small file read and parsed) would cost as much in
/// locking as in work if handed over one by one: tasks go to the workers in batches,
/// and results come back in batches.
template <typename Task, typename Result>
class ordered_parallel_map {
public:
    /// Per-thread work: `make_worker` is called once per worker thread, so that a
    /// worker can own scratch state (a read buffer) without sharing it.
    using worker = std::function<Result(Task&)>;
    using consumer = std::function<void(Result&&)>;

    /// With `threads` <= 1 the work runs inline in submit(): no thread is started.
    ordered_parallel_map(std::size_t threads,
                         std::size_t window,
                         const std::function<worker()>& make_worker,
                         consumer consume)
        : thread_count_(threads),
          window_(std::max<std::size_t>(window, 1)),
          batch_size_(std::clamp<std::size_t>(window_ / (2 * std::max<std::size_t>(threads, 1)), 1, max_batch)),
          ring_(window_),
          consume_(std::move(consume)) {
        if (threads <= 1) {
            inline_worker_ = make_worker();
            return;
        }
        threads_.reserve(threads);
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, work = make_worker()] { run(work); });
    }

    ~ordered_parallel_map() {
        {
            const std::lock_guard lock(mutex_);
            closing_ = true;
            tasks_.clear();
        }
        work_ready_.notify_all();
        threads_.clear();  // joins: the workers finish the tasks they hold and exit
    }

    ordered_parallel_map(const ordered_parallel_map&) = delete;
    ordered_parallel_map& operator=(const ordered_parallel_map&) = delete;

    /// Queues `task`; may wait for room in the window, consuming finished results meanwhile.
    void submit(Task task) {
        if (inline_worker_) return consume_(inline_worker_(task));
        make_room();
        pending_.emplace_back(submitted_++, std::move(task));
        if (pending_.size() >= batch_size_) hand_over();
    }

    /// A result that needs no work but keeps its place in the order.
    void submit_result(Result result) {
        if (inline_worker_) return consume_(std::move(result));
        make_room();
        std::unique_lock lock(mutex_);
        ring_[submitted_++ % window_] = std::move(result);
        drain(lock);
    }

    /// Waits for every submitted task and consumes the remaining results.
    void finish() {
        if (inline_worker_) return;
        hand_over();
        std::unique_lock lock(mutex_);
        while (consumed_ < submitted_) {
            wait_for_results(lock);
            drain(lock);
        }
    }

private:
    static constexpr std::size_t max_batch = 16;

    void run(worker work) {
        std::vector<std::pair<std::size_t, Task>> taken;
        std::vector<std::pair<std::size_t, Result>> done;
        std::exception_ptr failure;
        std::unique_lock lock(mutex_);
        while (true) {
            publish(done, failure);
            ++idle_workers_;
            work_ready_.wait(lock, [this] { return closing_ || !tasks_.empty(); });
            --idle_workers_;
            if (tasks_.empty()) return;
            // A fair share of what is queued, so that the other workers get some too.
            const auto count = std::clamp<std::size_t>(tasks_.size() / thread_count_, 1, max_batch);
            const auto end = tasks_.begin() + static_cast<std::ptrdiff_t>(count);
            std::move(tasks_.begin(), end, std::back_inserter(taken));
            tasks_.erase(tasks_.begin(), end);
            lock.unlock();
            for (auto& [index, task] : taken) {
                try {
                    done.emplace_back(index, work(task));
                } catch (...) {
                    failure = std::current_exception();
                    done.emplace_back(index, Result{});
                }
            }
            taken.clear();
            lock.lock();
        }
    }

    /// Stores a worker's finished results in their slots; the caller holds the lock.
    void publish(std::vector<std::pair<std::size_t, Result>>& done, const std::exception_ptr& failure) {
        if (done.empty()) return;
        if (failure && !failure_) failure_ = failure;
        for (auto& [index, result] : done) ring_[index % window_] = std::move(result);
        done.clear();
        if (producer_waiting_ && results_ready()) result_ready_.notify_one();
    }

    /// Moves the tasks submitted since the last hand-over to the workers, and consumes what is ready.
    void hand_over() {
        std::unique_lock lock(mutex_);
        if (!pending_.empty()) {
            const bool wake_all = idle_workers_ > 1 && pending_.size() > 1;
            std::move(pending_.begin(), pending_.end(), std::back_inserter(tasks_));
            pending_.clear();
            if (wake_all) {
                work_ready_.notify_all();
            } else if (idle_workers_ > 0) {
                work_ready_.notify_one();
            }
        }
        drain(lock);
    }

    /// Waits until the window has room for one more task.
    void make_room() {
        if (submitted_ - consumed_ < window_) return;
        hand_over();  // what waits in pending_ must reach the workers, or the wait would never end
        std::unique_lock lock(mutex_);
        while (submitted_ - consumed_ == window_) {
            wait_for_results(lock);
            drain(lock);
        }
    }

    /// True when the producer's wait is over: the next `awaited_` results are all ready.
    [[nodiscard]] bool results_ready() const {
        if (failure_) return true;
        for (std::size_t i = 0; i < awaited_; ++i) {
            if (!ring_[(consumed_ + i) % window_].has_value()) return false;
        }
        return true;
    }

    /// Waits for a batch of results rather than for the next one: waking for each result
    /// would take a core from the workers as often as a result comes in.
    void wait_for_results(std::unique_lock<std::mutex>& lock) {
        awaited_ = std::min(batch_size_, submitted_ - consumed_);
        producer_waiting_ = true;
        result_ready_.wait(lock, [this] { return results_ready(); });
        producer_waiting_ = false;
    }

    /// Consumes, in order, the results ready from the next expected one on; the
    /// consumer runs unlocked so the workers go on meanwhile.
    void drain(std::unique_lock<std::mutex>& lock) {
        if (failure_) std::rethrow_exception(failure_);
        batch_.clear();
        while (consumed_ < submitted_ && ring_[consumed_ % window_].has_value()) {
            auto& slot = ring_[consumed_++ % window_];
            batch_.push_back(std::move(*slot));
            slot.reset();
        }
        if (batch_.empty()) return;
        lock.unlock();
        for (auto& result : batch_) consume_(std::move(result));
        lock.lock();
    }

    const std::size_t thread_count_;
    const std::size_t window_;
    const std::size_t batch_size_;  ///< tasks handed over at once

    // Shared with the workers, under mutex_.
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable result_ready_;
    std::deque<std::pair<std::size_t, Task>> tasks_;
    std::vector<std::optional<Result>> ring_;  ///< results by index % window, until consumed
    std::exception_ptr failure_;
    std::size_t idle_workers_ = 0;
    bool producer_waiting_ = false;
    std::size_t awaited_ = 0;   ///< results the waiting producer needs at the head
    std::size_t consumed_ = 0;  ///< written by the producer under the lock, read by workers in results_ready()
    bool closing_ = false;

    // The producer's own.
    std::vector<std::pair<std::size_t, Task>> pending_;  ///< submitted, not yet handed over
    std::vector<Result> batch_;                          ///< results being consumed
    std::size_t submitted_ = 0;
    consumer consume_;
    worker inline_worker_;

    std::vector<std::jthread> threads_;  ///< last: joined first, while the state above is alive
};

}  // namespace chimera::core::detail
