#include "chimera/backend/backend_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "chimera/backend/backend_probe.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

backend_monitor::backend_monitor(asio::any_io_executor executor,
                                 backend_connection_pool& pool,
                                 const backend_settings& settings,
                                 service_metrics& metrics,
                                 std::string preload_model,
                                 std::chrono::seconds interval)
    : timer_(std::move(executor)),
      pool_(pool),
      settings_(settings),
      metrics_(metrics),
      preload_model_(std::move(preload_model)),
      interval_(interval) {}

void backend_monitor::start() {
    asio::co_spawn(timer_.get_executor(), watch(), [](const std::exception_ptr& failure) {
        if (failure) {
            spdlog::error("the backend monitor stopped unexpectedly");
        }
    });
}

void backend_monitor::stop() {
    stopped_ = true;
    timer_.cancel();
}

void backend_monitor::observe(probe_result probe, std::vector<std::string> models) {
    last_ = std::move(probe);
    metrics_.set_backend_up(settings_.name, last_.ready);
    if (last_.ready) {
        models_ = std::move(models);
        metrics_.model_labels().learn(models_);
    }
    probed_ = true;
    if (on_probed_) on_probed_();
}

awaitable<void> backend_monitor::watch() {
    bool was_up = true;
    while (!stopped_) {
        const auto probe = co_await probe_backend(pool_, settings_);
        std::vector<std::string> models;
        if (probe.ready) models = co_await list_backend_models(pool_, settings_);
        observe(probe, std::move(models));
        if (probe.ready && !preload_model_.empty() && settings_.kind == core::backend_kind::ollama) {
            const auto preload = co_await preload_backend_model(pool_, settings_, preload_model_);
            spdlog::log(preload.ready ? spdlog::level::info : spdlog::level::warn, "preloading {}: {}", preload_model_,
                        preload.detail);
            preload_model_.clear();
        }
        if (probe.ready != was_up) {
            spdlog::log(probe.ready ? spdlog::level::info : spdlog::level::warn, "backend {} {}: {}", settings_.name,
                        probe.ready ? "up" : "down", probe.detail);
            was_up = probe.ready;
        }
        timer_.expires_after(interval_);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace chimera::service
