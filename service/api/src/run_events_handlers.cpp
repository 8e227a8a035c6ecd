#include "chimera/api/run_events_handlers.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/run/run_document.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/http/event_stream.hpp"
#include "chimera/http/problem_response.hpp"
#include "chimera/runs/run_event_messages.hpp"
#include "chimera/runs/run_events.hpp"
#include "chimera/runs/run_scheduler.hpp"

namespace chimera::service {
namespace {

constexpr std::chrono::seconds keep_alive_interval{15};

bool ended(const nlohmann::json& document) {
    const auto status = core::parse_run_status(document.at("status").get<std::string>());
    return status && core::is_terminal(*status);
}

/// Forwards the run's events until its document (the last one) or until the client leaves.
awaitable<void> relay(run_event_subscription& subscription, event_stream& out) {
    run_event event;
    for (;;) {
        const auto result = co_await subscription.next(event, keep_alive_interval);
        if (result == run_event_subscription::wait_result::overflowed) {
            co_await out.send("error", R"({"detail":"the client read too slowly and events were dropped; reconnect"})");
            co_return;
        }
        bool sent = false;
        if (result == run_event_subscription::wait_result::idle) {
            sent = co_await out.keep_alive();
        } else {
            sent = co_await out.send(event.type, event.data);
        }
        if (!sent || event.type == "document") co_return;
    }
}

/// A plain coroutine function, not a capturing coroutine lambda (GCC 12 double-destroys
/// the captures of those).
awaitable<void> stream_run_events(
    run_scheduler& scheduler, run_events& events, const http_request& request, std::string id, event_stream& out) {
    // Subscribed before the snapshot, so nothing that happens after it is missed.
    const auto subscription = events.subscribe(id);
    const auto snapshot = co_await scheduler.document_json(id);
    if (!snapshot) {
        co_await out.reply(make_problem(request, http::status::not_found, "no run with id '" + id + "'"));
        co_return;
    }
    const bool finished = ended(*snapshot);
    const std::string first = core::json_text(finished ? *snapshot : status_event_data(*snapshot));
    const bool opened = co_await out.open();
    bool sent = false;
    if (opened) {
        sent = co_await out.send(finished ? "document" : "status", first);
    }
    if (sent && !finished) {
        co_await relay(*subscription, out);
    }
}

}  // namespace

void add_run_events_route(router& routes, run_scheduler& scheduler, run_events& events) {
    routes.add_stream("/runs/{id}/events",
                      [&scheduler, &events](const http_request& request, const path_params& params, event_stream& out) {
                          return stream_run_events(scheduler, events, request, params.at(0), out);
                      });
}

}  // namespace chimera::service
