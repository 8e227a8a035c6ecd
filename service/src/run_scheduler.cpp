#include "run_scheduler.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "log.hpp"
#include "run_cancellation.hpp"
#include "run_store.hpp"
#include "service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

struct run_scheduler::queued_run {
    std::string id;
    std::filesystem::path data_dir;
};

class run_scheduler::channel
    : public asio::experimental::channel<void(boost::system::error_code, run_scheduler::queued_run)> {
    using asio::experimental::channel<void(boost::system::error_code, run_scheduler::queued_run)>::channel;
};

run_scheduler::run_scheduler(asio::any_io_executor executor,
                             run_store& store,
                             run_pipeline_services services,
                             std::size_t workers,
                             std::size_t capacity)
    : store_(store),
      services_(services),
      workers_(std::max<std::size_t>(workers, 1)),
      queue_(std::make_unique<channel>(std::move(executor), capacity)) {}

run_scheduler::~run_scheduler() = default;

bool run_scheduler::try_enqueue(const std::string& id, std::filesystem::path data_dir) {
    if (!queue_->try_send(boost::system::error_code{}, queued_run{id, std::move(data_dir)})) {
        return false;
    }
    ++queued_;
    publish_gauges();
    return true;
}

std::chrono::seconds run_scheduler::retry_after() const {
    const double drain = static_cast<double>(queued_) / static_cast<double>(workers_) * mean_run_seconds_;
    return std::chrono::seconds{std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(drain)))};
}

void run_scheduler::start() {
    for (std::size_t i = 0; i < workers_; ++i) {
        ++active_workers_;
        asio::co_spawn(queue_->get_executor(), work(), [this](const std::exception_ptr& failure) {
            if (failure) {
                spdlog::critical("a run worker stopped unexpectedly");
            }
            worker_exited();
        });
    }
}

cancel_outcome run_scheduler::cancel(core::run_document& run) {
    if (run.status == core::run_status::queued) {
        run.status = core::run_status::cancelled;
        run.error = core::run_error{"cancelled", "the run was cancelled before it started"};
        run.finished_at = std::chrono::system_clock::now();
        services_.metrics.observe_run_finished(run.status);
        log_run_event(log_level::info, run.id, core::to_string(run.stage), "run cancelled before it started");
        persist(run, {});
        return cancel_outcome::cancelled;
    }
    if (const auto it = running_runs_.find(run.id); it != running_runs_.end()) {
        log_run_event(log_level::info, run.id, core::to_string(run.stage), "cancelling the running run");
        it->second->cancel();
        return cancel_outcome::cancelling;
    }
    return cancel_outcome::already_finished;
}

void run_scheduler::stop(std::function<void()> on_drained) {
    stopping_ = true;
    on_drained_ = std::move(on_drained);
    queue_->close();
    for (auto& [id, cancellation] : running_runs_) {
        cancellation->cancel();
    }
    if (active_workers_ == 0 && on_drained_) {
        on_drained_();
    }
}

void run_scheduler::worker_exited() {
    --active_workers_;
    if (active_workers_ == 0 && stopping_ && on_drained_) {
        on_drained_();
    }
}

void run_scheduler::publish_gauges() const {
    services_.metrics.set_runs_queued(queued_);
    services_.metrics.set_runs_running(running_);
}

awaitable<void> run_scheduler::work() {
    for (;;) {
        auto [ec, next] = co_await queue_->async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec || stopping_) {
            co_return;
        }
        --queued_;
        publish_gauges();
        co_await execute(next.id, std::move(next.data_dir));
    }
}

awaitable<void> run_scheduler::execute(const std::string& id, std::filesystem::path data_dir) {
    core::run_document* run = store_.find(id);
    if (run == nullptr || run->status != core::run_status::queued) {
        co_return;  // cancelled while queued
    }
    run_cancellation cancellation;
    running_runs_.emplace(id, &cancellation);
    ++running_;
    publish_gauges();
    auto report = co_await execute_run(services_, *run, std::move(data_dir), cancellation);
    running_runs_.erase(id);
    --running_;
    publish_gauges();
    ++finished_;
    const double seconds = run->timings.total_seconds.value_or(0);
    mean_run_seconds_ += (seconds - mean_run_seconds_) / static_cast<double>(finished_);
    persist(*run, std::move(report));
}

void run_scheduler::persist(const core::run_document& run, std::string report) {
    try {
        store_.finish(run, std::move(report));
    } catch (const std::exception& e) {
        log_run_event(log_level::error, run.id, core::to_string(run.stage),
                      std::string{"the run ended but could not be written to the state directory: "} + e.what());
    }
}

}  // namespace chimera::service
