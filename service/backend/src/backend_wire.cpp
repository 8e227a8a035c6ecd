#include "backend_wire.hpp"

namespace chimera::service {

backend_wire wire_of(const backend_settings& settings) {
    if (settings.kind == core::backend_kind::openai) {
        const bool chat = settings.openai_api == core::openai_api::chat;
        return {.generate_target = chat ? "/v1/chat/completions" : "/v1/completions",
                .stream_media_type = "text/event-stream",
                .probe_target = "/v1/models",
                .who = "backend " + settings.name,
                .end_marker = "data: [DONE]",
                .missing_end = "data: [DONE]",
                .not_a_chunk =
                    chat ? "an event that is not a chat completion chunk" : "an event that is not a completion chunk"};
    }
    return {.generate_target = "/api/generate",
            .stream_media_type = "application/x-ndjson",
            .probe_target = "/api/version",
            .who = "Ollama",
            .end_marker = "done:true",
            .missing_end = "a done:true chunk",
            .not_a_chunk = "a line that is not a generate chunk"};
}

}  // namespace chimera::service
