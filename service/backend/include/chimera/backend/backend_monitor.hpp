#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chimera/backend/backend_connection_pool.hpp"
#include "chimera/backend/backend_probe.hpp"

namespace chimera::service {

class service_metrics;

/// Probes the backend at start-up and then periodically, and learns the models it lists
/// (the metrics' `model` labels). /readyz reports the last result without waiting on
/// Ollama, and `chimera_backend_up` tells the truth even where nothing polls /readyz; a
/// change is logged. With a preload model, the
/// first successful probe is followed by Ollama's load-only request, so the first
/// run doesn't pay the cold load (an Ollama backend only: see preload_backend_model). Used on the io thread only.
class backend_monitor {
public:
    backend_monitor(boost::asio::any_io_executor executor,
                    backend_connection_pool& pool,
                    const backend_settings& settings,
                    service_metrics& metrics,
                    std::string preload_model = {},
                    std::chrono::seconds interval = std::chrono::seconds{5});

    void start();
    void stop();

    /// Called on the io thread after every probe round (health or models may have changed):
    /// the fleet's router wakes the runs waiting for a backend.
    void on_probed(std::function<void()> callback) { on_probed_ = std::move(callback); }

    /// Takes in what a probe round found (its models: none unless it answered) and tells the
    /// on_probed callback. watch() calls it after each round; a benchmark of routing calls it
    /// instead of probing a backend over the network.
    void observe(probe_result probe, std::vector<std::string> models);

    /// Whether a probe has answered or failed yet: before that, "down" means "not asked yet".
    [[nodiscard]] bool probed() const { return probed_; }

    /// The last probe's result; not ready until the first probe answered.
    [[nodiscard]] const probe_result& last() const { return last_; }

    /// The models the backend listed at its last answer to `GET /api/tags` or `/v1/models`: what
    /// model routing sends to this backend.
    [[nodiscard]] const std::vector<std::string>& models() const { return models_; }

private:
    awaitable<void> watch();

    boost::asio::steady_timer timer_;
    backend_connection_pool& pool_;
    const backend_settings& settings_;
    service_metrics& metrics_;
    std::string preload_model_;
    std::chrono::seconds interval_;
    probe_result last_ = probe_result::failed("the backend has not been probed yet");
    std::vector<std::string> models_;
    std::function<void()> on_probed_;
    bool probed_ = false;
    bool stopped_ = false;
};

}  // namespace chimera::service
