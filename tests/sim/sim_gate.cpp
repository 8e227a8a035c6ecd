#include "sim_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sim {

// Registers a timer's wait with the gate for the object's lifetime, so that release() can end it.
class gate_wait {
public:
    gate_wait(generation_gate& gate, boost::asio::steady_timer& timer) : gate_{gate}, timer_{timer} {
        gate_.waiting_.insert(&timer_);
    }
    gate_wait(const gate_wait&) = delete;
    gate_wait& operator=(const gate_wait&) = delete;
    ~gate_wait() { gate_.waiting_.erase(&timer_); }

private:
    generation_gate& gate_;
    boost::asio::steady_timer& timer_;
};

std::uint64_t generation_gate::release() {
    held_ = false;
    // cancel() only queues each waiter's completion, so the set is not changed while iterated.
    for (auto* timer : waiting_) timer->cancel();
    return waiting_.size();
}

boost::asio::awaitable<bool> pass(generation_gate& gate, boost::asio::steady_timer& timer) {
    // A loop: the gate may be held again between a release and this coroutine's turn to run.
    while (gate.held()) {
        const gate_wait registered{gate, timer};
        timer.expires_at(boost::asio::steady_timer::time_point::max());
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        const auto state = co_await boost::asio::this_coro::cancellation_state;
        if (state.cancelled() != boost::asio::cancellation_type::none) {
            co_return false;
        }
    }
    co_return true;
}

}  // namespace sim
