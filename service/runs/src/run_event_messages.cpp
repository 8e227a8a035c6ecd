#include "chimera/runs/run_event_messages.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/text/json_text.hpp"
#include "chimera/runs/run_events.hpp"

namespace chimera::service {
namespace {}  // namespace

void publish_status(run_events& events, const core::run_document& run) {
    if (!events.watched(run.id)) return;
    events.publish(run.id, "status",
                   core::json_text({{"id", run.id},
                                    {"status", core::to_string(run.status)},
                                    {"stage", core::to_string(run.stage)},
                                    {"attempt", run.attempt}}));
}

void publish_tokens(run_events& events, std::string_view run_id, core::call_stage call, std::string_view text) {
    events.publish(run_id, "token", core::json_text({{"call", core::to_string(call)}, {"text", text}}));
}

void publish_document(run_events& events, std::string_view run_id, const nlohmann::json& document) {
    if (!events.watched(run_id)) return;
    events.publish(run_id, "document", core::json_text(document));
}

nlohmann::json status_event_data(const nlohmann::json& document) {
    return {{"id", document.at("id")},
            {"status", document.at("status")},
            {"stage", document.at("stage")},
            {"attempt", document.at("attempt")}};
}

}  // namespace chimera::service
