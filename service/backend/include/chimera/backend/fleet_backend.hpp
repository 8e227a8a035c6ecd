#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "chimera/backend/backend_connection_pool.hpp"
#include "chimera/backend/backend_monitor.hpp"
#include "chimera/backend/backend_settings.hpp"
#include "chimera/core/llm/run_options.hpp"

namespace chimera::service {

class service_metrics;

/// One backend of the fleet: its settings, keep-alive pool and health monitor, the streams it
/// carries now, and whether calls have been failing on it. Pinned in memory (the pool and the
/// monitor hold its settings by reference). Used on the io thread only.
class fleet_backend {
public:
    using clock = std::chrono::steady_clock;

    /// Failures before the first token in a row that mark a backend down although its probe
    /// answers (a backend that accepts connections but answers every call 503, say).
    static constexpr int failures_before_down = 3;
    /// How long such a backend is left out of routing before its probe is believed again.
    static constexpr std::chrono::seconds down_for{10};

    fleet_backend(boost::asio::any_io_executor executor,
                  backend_settings settings,
                  service_metrics& metrics,
                  std::string preload_model);
    fleet_backend(const fleet_backend&) = delete;
    fleet_backend& operator=(const fleet_backend&) = delete;

    [[nodiscard]] const backend_settings& settings() const { return settings_; }
    [[nodiscard]] const std::string& name() const { return settings_.name; }
    [[nodiscard]] backend_connection_pool& pool() { return pool_; }
    [[nodiscard]] backend_monitor& monitor() { return monitor_; }
    [[nodiscard]] const backend_monitor& monitor() const { return monitor_; }

    [[nodiscard]] std::size_t streams() const { return streams_; }
    [[nodiscard]] bool has_free_stream() const {
        return settings_.max_streams == 0 || streams_ < settings_.max_streams;
    }

    /// Its last probe answered and calls have not been failing on it.
    [[nodiscard]] bool healthy(clock::time_point now) const;

    /// Whether calls failing before their first token marked it down, and until when.
    [[nodiscard]] bool marked_down(clock::time_point now) const { return now < down_until_; }

    /// Whether its last model list holds `model`; a name without a tag matches `:latest`, as
    /// Ollama resolves it.
    [[nodiscard]] bool lists(std::string_view model) const;

    /// Why its kind cannot take `options`, naming each option it cannot take; nullopt when it can.
    /// Sent anyway, the engine would ignore them and the run measure another configuration
    /// than the one asked for.
    [[nodiscard]] std::optional<std::string> options_refusal(const core::run_options& options) const;

    void stream_opened() { ++streams_; }
    void stream_closed() { --streams_; }

    void note_failure_before_first_token(clock::time_point now);
    void note_call_completed() { failures_in_a_row_ = 0; }

    /// When routing last chose it: ties between equally loaded backends go round.
    std::uint64_t last_chosen = 0;

private:
    backend_settings settings_;
    backend_connection_pool pool_;
    backend_monitor monitor_;
    std::size_t streams_ = 0;
    int failures_in_a_row_ = 0;
    clock::time_point down_until_{};
};

}  // namespace chimera::service
