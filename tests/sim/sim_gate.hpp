// POST /sim/hold and /sim/release: while held, every generation request waits before its model
// is ready, as requests wait in a busy engine's queue, until a release lets them all go. A test
// fills a client's streams with it and looks at them while they are full, without racing the clock.
// Not thread-safe: owned by the io thread.
#pragma once

#include <cstdint>
#include <set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sim {

class generation_gate {
public:
    void hold() { held_ = true; }
    // Opens the gate; returns how many generations were waiting at it.
    std::uint64_t release();
    [[nodiscard]] bool held() const { return held_; }

private:
    friend class gate_wait;
    bool held_ = false;
    std::set<boost::asio::steady_timer*> waiting_;
};

// Waits on `timer` while the gate is held; false when the wait was cancelled otherwise (the
// client left), true once the gate is open.
boost::asio::awaitable<bool> pass(generation_gate& gate, boost::asio::steady_timer& timer);

}  // namespace sim
