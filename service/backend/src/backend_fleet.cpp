#include "chimera/backend/backend_fleet.hpp"

#include <algorithm>
#include <ranges>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/run/run_failure.hpp"
#include "chimera/core/text/join.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

/// A run waiting for a stream: woken when a backend it could use frees one, or when a probe
/// round may have changed which backends are healthy.
struct backend_fleet::waiter {
    const backend_route* route;
    asio::steady_timer timer;
    bool listed = true;
    /// The backend whose freed stream woke it, if one did.
    const fleet_backend* woken_for = nullptr;
};

/// Where routing sends a run now: a backend with a free stream, or a wait (every candidate is
/// full or not probed yet), or a refusal saying why no backend can serve it.
struct backend_fleet::choice {
    fleet_backend* backend = nullptr;
    bool wait = false;
    std::string refusal;
};

void stream_slot::release() {
    if (backend_ == nullptr) return;
    backend_->stream_closed();
    fleet_->stream_freed(*backend_);
    backend_ = nullptr;
    fleet_ = nullptr;
}

stream_slot::stream_slot(backend_fleet& fleet, fleet_backend& backend) : fleet_(&fleet), backend_(&backend) {
    backend_->stream_opened();
}

backend_fleet::backend_fleet(asio::any_io_executor executor,
                             std::vector<backend_settings> backends,
                             service_metrics& metrics,
                             std::string preload_model)
    : executor_(std::move(executor)) {
    for (auto& settings : backends) {
        metrics.add_backend(settings.name);
        // Ollama's load-only request means nothing to an OpenAI-compatible engine.
        auto preload = settings.kind == core::backend_kind::ollama ? preload_model : std::string{};
        backends_.push_back(std::make_unique<fleet_backend>(executor_, std::move(settings), metrics, preload));
        backends_.back()->monitor().on_probed([this] { wake_all(); });
    }
}

backend_fleet::~backend_fleet() = default;

void backend_fleet::start() {
    for (const auto& backend : backends_) backend->monitor().start();
}

void backend_fleet::stop() {
    for (const auto& backend : backends_) {
        backend->monitor().stop();
        backend->pool().close_idle();
    }
}

fleet_backend* backend_fleet::find(std::string_view name) const {
    const auto found = std::find_if(backends_.begin(), backends_.end(),
                                    [name](const auto& backend) { return backend->name() == name; });
    return found == backends_.end() ? nullptr : found->get();
}

namespace {

std::string backend_names(std::span<const std::unique_ptr<fleet_backend>> backends) {
    return core::join(
        backends | std::views::transform([](const auto& backend) -> const std::string& { return backend->name(); }),
        ", ");
}

bool skipped(const backend_route& route, const fleet_backend& backend) {
    return std::find(route.skipped.begin(), route.skipped.end(), backend.name()) != route.skipped.end();
}

std::optional<std::string> options_refusal(const fleet_backend& backend, const backend_route& route) {
    return route.options == nullptr ? std::nullopt : backend.options_refusal(*route.options);
}

/// What a backend offers a run that names only a model, for the failure that says why none could.
std::string state_of(const fleet_backend& backend, const backend_route& route, fleet_backend::clock::time_point now) {
    if (auto why = options_refusal(backend, route)) return *why;
    if (!backend.monitor().last().ready) return backend.name() + ": down (" + backend.monitor().last().detail + ")";
    if (backend.marked_down(now)) return backend.name() + ": left out after calls failed before their first token";
    const auto& models = backend.monitor().models();
    return backend.name() + ": lists " + (models.empty() ? "no model" : core::join(models, ", "));
}

}  // namespace

std::optional<route_refusal> backend_fleet::refusal(const backend_route& route) const {
    if (!route.backend.empty()) {
        const auto* named = find(route.backend);
        if (named == nullptr) {
            return route_refusal{"backend", "no backend is named '" + std::string{route.backend} +
                                                "': this service has " + backend_names(backends_)};
        }
        if (auto why = options_refusal(*named, route)) return route_refusal{"options", std::move(*why)};
        return std::nullopt;
    }
    std::string why_not;
    for (const auto& backend : backends_) {
        const auto why = options_refusal(*backend, route);
        if (!why) return std::nullopt;
        why_not += (why_not.empty() ? "" : "; ") + *why;
    }
    return route_refusal{"options", std::move(why_not)};
}

bool backend_fleet::candidate(const fleet_backend& backend, const backend_route& route) const {
    if (!route.backend.empty()) return backend.name() == route.backend;
    if (skipped(route, backend)) return false;
    if (backends_.size() == 1) return true;
    return backend.lists(route.model) && !options_refusal(backend, route);
}

backend_fleet::choice backend_fleet::choose(const backend_route& route) const {
    const auto now = fleet_backend::clock::now();
    // A named backend, or the only one, is tried whatever its probe says: its call then fails
    // with the backend's own error, as it did before there was a fleet.
    const bool checked = route.backend.empty() && backends_.size() > 1;
    choice chosen;
    for (const auto& backend : backends_) {
        if (checked && !backend->monitor().probed()) {
            chosen.wait = true;
            continue;
        }
        if (!candidate(*backend, route) || (checked && !backend->healthy(now))) continue;
        if (!backend->has_free_stream()) {
            chosen.wait = true;
            continue;
        }
        const auto* best = chosen.backend;
        if (best == nullptr || backend->streams() < best->streams() ||
            (backend->streams() == best->streams() && backend->last_chosen < best->last_chosen)) {
            chosen.backend = backend.get();
        }
    }
    if (chosen.backend != nullptr || chosen.wait) return chosen;
    chosen.refusal = "no healthy backend lists model '" + std::string{route.model} + "'";
    for (const auto& backend : backends_) chosen.refusal += "; " + state_of(*backend, route, now);
    return chosen;
}

bool backend_fleet::can_fail_over(const backend_route& route) const {
    if (!route.backend.empty() || backends_.size() == 1) return false;
    const auto now = fleet_backend::clock::now();
    return std::any_of(backends_.begin(), backends_.end(),
                       [&](const auto& backend) { return candidate(*backend, route) && backend->healthy(now); });
}

awaitable<stream_slot> backend_fleet::reserve(const backend_route& route, run_cancellation& cancellation) {
    // A run woken for a freed stream that took another backend's (two streams were freed at once,
    // and it prefers the other) or that gives up passes the wake-up on: else a run that can use
    // only that stream would wait on while it is free, until the next probe round.
    const fleet_backend* woken_for = nullptr;
    const auto pass_on = [&](const fleet_backend* taken) {
        if (woken_for != nullptr && woken_for != taken && woken_for->has_free_stream()) stream_freed(*woken_for);
    };
    for (;;) {
        if (cancellation.cancelled()) {
            throw core::run_failure::cancelled("the run was cancelled while it waited for a backend stream");
        }
        auto chosen = choose(route);
        if (chosen.backend != nullptr) {
            chosen.backend->last_chosen = ++choices_;
            stream_slot slot{*this, *chosen.backend};
            pass_on(chosen.backend);
            co_return slot;
        }
        if (!chosen.wait) {
            pass_on(nullptr);
            throw core::run_failure::of_run(core::failure_type::backend_unavailable, chosen.refusal);
        }
        // Waiting again: the stream it was woken for went to another run, or it cannot use it (its
        // backend is down), and neither can any run routed by model; not passed on, which would
        // wake the waiting runs in turn for as long as it stays free.
        woken_for = nullptr;
        waiter waiting{&route, asio::steady_timer{executor_, asio::steady_timer::time_point::max()}};
        waiters_.push_back(&waiting);
        {
            const auto exposed = cancellation.attach(waiting.timer);
            co_await waiting.timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (waiting.listed) {
            waiters_.remove(&waiting);
        } else if (cancellation.cancelled()) {
            wake_all();  // the stream it was woken for goes to another waiter
        } else {
            woken_for = waiting.woken_for;
        }
    }
}

void backend_fleet::stream_freed(const fleet_backend& backend) {
    // One waiter that could use this backend, the longest waiting: waking all of them would
    // cost each a routing pass per freed stream.
    const auto found =
        std::find_if(waiters_.begin(), waiters_.end(), [&](const waiter* w) { return candidate(backend, *w->route); });
    if (found == waiters_.end()) return;
    (*found)->listed = false;
    (*found)->woken_for = &backend;
    (*found)->timer.cancel();
    waiters_.erase(found);
}

void backend_fleet::wake_all() {
    for (auto* w : waiters_) {
        w->listed = false;
        w->timer.cancel();
    }
    waiters_.clear();
}

}  // namespace chimera::service
