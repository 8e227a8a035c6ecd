#include "chimera/runs/run_events.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chimera::service {
namespace asio = boost::asio;

class run_event_subscription::channel : public asio::experimental::channel<void(boost::system::error_code, run_event)> {
    using asio::experimental::channel<void(boost::system::error_code, run_event)>::channel;
};

run_event_subscription::run_event_subscription(run_events& hub, std::string run_id, asio::any_io_executor executor)
    : hub_(hub), run_id_(std::move(run_id)), channel_(std::make_unique<channel>(executor, run_events::capacity)) {}

run_event_subscription::~run_event_subscription() { hub_.unsubscribe(run_id_, this); }

void run_event_subscription::deliver(const run_event& event) {
    if (overflowed_) return;
    if (!channel_->try_send(boost::system::error_code{}, event)) {
        overflowed_ = true;
        channel_->close();
    }
}

awaitable<run_event_subscription::wait_result> run_event_subscription::next(run_event& out,
                                                                            std::chrono::milliseconds idle_after) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer idle{channel_->get_executor(), idle_after};
    auto first = co_await (channel_->async_receive(asio::as_tuple(asio::use_awaitable)) ||
                           idle.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (first.index() == 1) co_return wait_result::idle;
    auto [ec, event] = std::get<0>(std::move(first));
    if (ec) co_return wait_result::overflowed;
    out = std::move(event);
    co_return wait_result::event;
}

run_events::run_events(asio::any_io_executor executor) : executor_(std::move(executor)) {}

std::unique_ptr<run_event_subscription> run_events::subscribe(const std::string& run_id) {
    auto subscription = std::make_unique<run_event_subscription>(*this, run_id, executor_);
    listeners_[run_id].push_back(subscription.get());
    if (forwarder_ != nullptr) forwarder_->subscribed(run_id);
    return subscription;
}

bool run_events::watched(std::string_view run_id) const {
    return listeners_.find(run_id) != listeners_.end() ||
           (forwarder_ != nullptr && forwarder_->watched_elsewhere(run_id));
}

void run_events::publish(std::string_view run_id, std::string_view type, std::string data) {
    if (forwarder_ != nullptr && forwarder_->watched_elsewhere(run_id)) forwarder_->forward(run_id, type, data);
    deliver_here(run_id, type, std::move(data));
}

void run_events::deliver_here(std::string_view run_id, std::string_view type, std::string data) {
    const auto it = listeners_.find(run_id);
    if (it == listeners_.end()) return;
    const run_event event{std::string{type}, std::move(data)};
    for (auto* subscription : it->second) subscription->deliver(event);
}

bool run_events::has_listeners(std::string_view run_id) const { return listeners_.find(run_id) != listeners_.end(); }

std::vector<std::string> run_events::watched_here() const {
    std::vector<std::string> runs;
    runs.reserve(listeners_.size());
    for (const auto& [run_id, listeners] : listeners_) runs.push_back(run_id);
    return runs;
}

void run_events::unsubscribe(const std::string& run_id, run_event_subscription* subscription) {
    const auto it = listeners_.find(run_id);
    if (it == listeners_.end()) return;
    std::erase(it->second, subscription);
    if (it->second.empty()) listeners_.erase(it);
}

}  // namespace chimera::service
