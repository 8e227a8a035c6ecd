#include "chimera/runs/local_runtime.hpp"

#include <csignal>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/runs/run_id.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

struct local_runtime::parts {
    parts(std::vector<backend_settings> backends, core::ingest_limits ingest_limits)
        : limits(ingest_limits), fleet(io.get_executor(), std::move(backends), metrics) {}

    core::ingest_limits limits;
    asio::io_context io{1};
    asio::thread_pool blocking{2};
    service_metrics metrics;
    backend_fleet fleet;
    run_cancellation cancellation;
};

local_runtime::local_runtime(std::vector<backend_settings> backends, core::ingest_limits limits)
    : parts_(std::make_unique<parts>(std::move(backends), limits)) {}

local_runtime::~local_runtime() = default;

run_pipeline_services local_runtime::services() {
    return run_pipeline_services{parts_->fleet, parts_->blocking, parts_->metrics, parts_->limits};
}

run_cancellation& local_runtime::cancellation() { return parts_->cancellation; }

asio::io_context& local_runtime::io() { return parts_->io; }

void local_runtime::run(awaitable<void> work, std::function<void()> on_signal) {
    asio::signal_set signals{parts_->io, SIGINT, SIGTERM};
    signals.async_wait([this, on_signal = std::move(on_signal)](const boost::system::error_code& ec, int) {
        if (ec) return;
        parts_->cancellation.cancel(core::cancel_reason::user);
        if (on_signal) on_signal();
    });
    // Routing by model among several backends needs their probes; one backend is just used.
    const bool probed = parts_->fleet.backends().size() > 1;
    if (probed) parts_->fleet.start();
    std::exception_ptr failure;
    asio::co_spawn(parts_->io, std::move(work), [&](const std::exception_ptr& e) {
        failure = e;
        signals.cancel();
        if (probed) parts_->fleet.stop();
    });
    parts_->io.run();
    parts_->blocking.join();
    if (failure) std::rethrow_exception(failure);
}

core::run_document local_run_document(std::string model,
                                      core::run_options options,
                                      std::optional<std::string> label,
                                      const std::filesystem::path& data_dir) {
    core::run_document run;
    run.id = make_run_id();
    run.model = std::move(model);
    run.options = options;
    run.label = std::move(label);
    run.data_dir = data_dir.string();
    run.created_at = std::chrono::system_clock::now();
    return run;
}

}  // namespace chimera::service
