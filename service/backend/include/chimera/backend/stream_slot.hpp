#pragma once

#include <utility>

namespace chimera::service {

class backend_fleet;
class fleet_backend;

/// A run's claim on one stream of a backend, held across both of its calls: the backend's
/// count of outstanding streams, which routing balances and --backend's max-streams bounds.
/// Giving it up (destruction, or assigning another) frees the stream and wakes a run waiting
/// for one. Used on the io thread only.
class stream_slot {
public:
    stream_slot() = default;
    stream_slot(backend_fleet& fleet, fleet_backend& backend);
    stream_slot(const stream_slot&) = delete;
    stream_slot& operator=(const stream_slot&) = delete;
    stream_slot(stream_slot&& other) noexcept
        : fleet_(std::exchange(other.fleet_, nullptr)), backend_(std::exchange(other.backend_, nullptr)) {}
    stream_slot& operator=(stream_slot&& other) noexcept {
        if (this != &other) {
            release();
            fleet_ = std::exchange(other.fleet_, nullptr);
            backend_ = std::exchange(other.backend_, nullptr);
        }
        return *this;
    }
    ~stream_slot() { release(); }

    [[nodiscard]] fleet_backend& backend() const { return *backend_; }

private:
    void release();

    backend_fleet* fleet_ = nullptr;
    fleet_backend* backend_ = nullptr;
};

}  // namespace chimera::service
