#include "chimera/runs/replica_event_relay.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "chimera/core/run/run_document.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/store/run_store.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace {

constexpr std::chrono::milliseconds token_tick{50};
constexpr std::chrono::seconds watch_refresh{10};
/// Three refreshes missed: the watcher left, or its replica stopped.
constexpr std::chrono::seconds watch_expiry{30};
/// Token text per message: JSON escaping can make a byte six, and a notification holds 8,000.
constexpr std::size_t max_text_bytes = 1200;

/// The length of `text`'s longest prefix of at most `limit` bytes that ends on a character
/// boundary of UTF-8.
std::size_t utf8_prefix(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text.size();
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    return end == 0 ? limit : end;
}

void log_relay_failure(const std::exception_ptr& failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        spdlog::error("the run event relay to other replicas stopped: {}", e.what());
    }
}

}  // namespace

replica_event_relay::replica_event_relay(
    asio::any_io_executor executor, run_events& events, store_calls calls, std::string replica, hooks replica_hooks)
    : executor_(executor),
      events_(events),
      calls_(calls),
      replica_(std::move(replica)),
      hooks_(std::move(replica_hooks)),
      watch_timer_(executor),
      token_timer_(executor) {}

void replica_event_relay::start() {
    events_.set_forwarder(this);
    asio::co_spawn(executor_, keep_watching(), log_relay_failure);
}

void replica_event_relay::stop() {
    stopped_ = true;
    events_.set_forwarder(nullptr);
    watch_timer_.cancel();
    token_timer_.cancel();
}

/// Any run may execute here while another replica watches it: statuses and ends always go out
/// (a few per run), token text only to runs someone elsewhere asked for (see forward).
bool replica_event_relay::watched_elsewhere(std::string_view) const { return !stopped_; }

void replica_event_relay::forward(std::string_view run_id, std::string_view type, const std::string& data) {
    if (type == "token") {
        const auto it = remote_watches_.find(run_id);
        if (it == remote_watches_.end()) return;
        if (it->second < std::chrono::steady_clock::now()) {
            remote_watches_.erase(it);
            return;
        }
        coalesce_token(run_id, data);
        return;
    }
    flush_tokens(std::string{run_id});  // text streamed before a change of status goes first
    if (type == "document") {
        send(run_id, "ended", "null");
        remote_watches_.erase(std::string{run_id});
    } else {
        send(run_id, type, data);
    }
}

void replica_event_relay::subscribed(const std::string& run_id) {
    if (!hooks_.executes_here(run_id)) send(run_id, "watch", "null");
}

void replica_event_relay::coalesce_token(std::string_view run_id, const std::string& data) {
    const auto token = nlohmann::json::parse(data, nullptr, false);
    if (!token.is_object()) return;
    auto& calls = pending_tokens_[std::string{run_id}];
    calls[token.value("call", "")] += token.value("text", "");
    if (token_tick_armed_) return;
    token_tick_armed_ = true;
    asio::co_spawn(executor_, tick_tokens(), log_relay_failure);
}

awaitable<void> replica_event_relay::tick_tokens() {
    token_timer_.expires_after(token_tick);
    co_await token_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    token_tick_armed_ = false;
    if (!stopped_) flush_all_tokens();
}

void replica_event_relay::flush_all_tokens() {
    while (!pending_tokens_.empty()) flush_tokens(pending_tokens_.begin()->first);
}

void replica_event_relay::flush_tokens(const std::string& run_id) {
    const auto it = pending_tokens_.find(run_id);
    if (it == pending_tokens_.end()) return;
    for (const auto& [call, text] : it->second) {
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto piece = utf8_prefix(rest, max_text_bytes);
            send(run_id, "token", core::json_text({{"call", call}, {"text", rest.substr(0, piece)}}));
            rest.remove_prefix(piece);
        }
    }
    pending_tokens_.erase(it);
}

void replica_event_relay::send(std::string_view run_id, std::string_view type, std::string data) {
    nlohmann::json message{{"from", replica_}, {"run", run_id}, {"type", type}};
    message["data"] = nlohmann::json::parse(data, nullptr, false);
    outbox_.push_back(core::json_text(message));
    if (sending_) return;
    sending_ = true;
    asio::co_spawn(executor_, send_queued(), log_relay_failure);
}

/// One sender, so a run's messages arrive in the order they were sent.
awaitable<void> replica_event_relay::send_queued() {
    while (!outbox_.empty()) {
        const std::string payload = std::move(outbox_.front());
        outbox_.pop_front();
        try {
            co_await calls_([this, &payload] { hooks_.notify(payload); });
        } catch (const std::exception& e) {
            spdlog::warn("a run event could not be sent to the other replicas: {}", e.what());
        }
    }
    sending_ = false;
}

void replica_event_relay::receive(std::string_view payload) {
    const auto message = nlohmann::json::parse(payload, nullptr, false);
    if (!message.is_object() || message.value("from", "") == replica_) return;
    const auto run_id = message.value("run", "");
    const auto type = message.value("type", "");
    if (type == "watch") {
        if (hooks_.executes_here(run_id)) remote_watches_[run_id] = std::chrono::steady_clock::now() + watch_expiry;
        return;
    }
    if (!events_.has_listeners(run_id)) return;
    if (type == "status") {
        subscribed(run_id);  // tell the run's owner, which may have just claimed it
        events_.deliver_here(run_id, type, core::json_text(message.at("data")));
    } else if (type == "token") {
        events_.deliver_here(run_id, type, core::json_text(message.at("data")));
    } else if (type == "ended") {
        asio::co_spawn(executor_, end_if_ended({run_id}), log_relay_failure);
    }
}

void replica_event_relay::reconnected() {
    asio::co_spawn(executor_, end_if_ended(events_.watched_here()), log_relay_failure);
}

awaitable<void> replica_event_relay::keep_watching() {
    while (!stopped_) {
        watch_timer_.expires_after(watch_refresh);
        auto [ec] = co_await watch_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || stopped_) co_return;
        announce_watches();
        co_await end_if_ended(events_.watched_here());
    }
}

void replica_event_relay::announce_watches() {
    for (const auto& run_id : events_.watched_here()) subscribed(run_id);
}

/// Those of `runs` watched here that ended elsewhere get their final document from the store.
awaitable<void> replica_event_relay::end_if_ended(std::vector<std::string> runs) {
    for (const auto& run_id : runs) {
        if (hooks_.executes_here(run_id)) continue;
        std::optional<std::string> document;
        try {
            document = co_await hooks_.stored_document(run_id);
        } catch (const store_error& e) {
            spdlog::warn("cannot read run {} to end its event stream: {}; tried again in {} s", run_id, e.what(),
                         watch_refresh.count());
        }
        if (!document) continue;
        const auto parsed = nlohmann::json::parse(*document, nullptr, false);
        const auto status = parsed.is_object() ? core::parse_run_status(parsed.value("status", "")) : std::nullopt;
        if (status && core::is_terminal(*status)) events_.deliver_here(run_id, "document", *document);
    }
}

}  // namespace chimera::service
