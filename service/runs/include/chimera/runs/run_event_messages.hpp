#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/llm/call_metrics.hpp"
#include "chimera/core/run/run_document.hpp"

namespace chimera::service {

class run_events;

/// The events of GET /runs/{id}/events (schema: proto-free-api/schemas/run_event.schema.json):
///   status    {"id","status","stage","attempt"}: the run started, changed stage or was requeued
///   token     {"call":"analysis"|"report","text"}: text the model streamed
///   document  the run document, once the run ended: the last event of a stream
void publish_status(run_events& events, const core::run_document& run);
void publish_tokens(run_events& events, std::string_view run_id, core::call_stage call, std::string_view text);
void publish_document(run_events& events, std::string_view run_id, const nlohmann::json& document);

/// The data of a `status` event for a run document in JSON.
[[nodiscard]] nlohmann::json status_event_data(const nlohmann::json& document);

}  // namespace chimera::service
