#pragma once

#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chimera/asio/awaitable.hpp"
#include "chimera/backend/backend_route.hpp"
#include "chimera/backend/fleet_backend.hpp"
#include "chimera/backend/stream_slot.hpp"

namespace chimera::service {

class run_cancellation;

/// Every backend the service runs calls on (`--backend NAME=URL`, or the one `--ollama-url`),
/// and where each run goes. A run that names a backend goes there; one that names only a model
/// goes to the healthy backend listing that model with the fewest outstanding streams (ties
/// go round), never above a backend's max-streams: while every candidate is full, the run
/// waits for a stream. With a single backend, model lists are not consulted (Ollama may know
/// a model its list does not show yet), as before there was a fleet.
/// Used on the io thread only.
class backend_fleet {
public:
    backend_fleet(boost::asio::any_io_executor executor,
                  std::vector<backend_settings> backends,
                  service_metrics& metrics,
                  std::string preload_model = {});
    backend_fleet(const backend_fleet&) = delete;
    backend_fleet& operator=(const backend_fleet&) = delete;
    ~backend_fleet();

    /// Starts every backend's health probe and model discovery.
    void start();
    /// Stops the probes and closes idle connections (shutdown).
    void stop();

    [[nodiscard]] std::span<const std::unique_ptr<fleet_backend>> backends() const { return backends_; }
    [[nodiscard]] fleet_backend* find(std::string_view name) const;

    /// Why no backend could ever take the run (a backend name the fleet does not have, options
    /// that neither the named backend nor any other can take), for a 400 at submission;
    /// nullopt when it can be routed (perhaps after a wait).
    [[nodiscard]] std::optional<route_refusal> refusal(const backend_route& route) const;

    /// A stream on the backend the run goes to, waiting while every candidate is full or not
    /// probed yet; cancellation ends the wait. Throws core::run_failure (backend_unavailable)
    /// naming each backend's state when no candidate can serve.
    awaitable<stream_slot> reserve(const backend_route& route, run_cancellation& cancellation);

    /// Whether a backend other than those `route` skipped could take it, busy or not: a call
    /// that failed before its first token fails over only then.
    [[nodiscard]] bool can_fail_over(const backend_route& route) const;

private:
    friend class stream_slot;
    struct waiter;
    struct choice;

    [[nodiscard]] choice choose(const backend_route& route) const;
    [[nodiscard]] bool candidate(const fleet_backend& backend, const backend_route& route) const;
    void stream_freed(const fleet_backend& backend);
    void wake_all();

    boost::asio::any_io_executor executor_;
    std::vector<std::unique_ptr<fleet_backend>> backends_;
    std::list<waiter*> waiters_;
    std::uint64_t choices_ = 0;
};

}  // namespace chimera::service
