#pragma once

#include <string>

#include <boost/beast/http/field.hpp>

#include "chimera/backend/backend_settings.hpp"

namespace chimera::service {

/// What differs between the two wires a backend may speak (backend_settings::kind): the streamed
/// call's route and media type, and how a failure names the backend and the end of its stream.
/// Everything else — timeouts, retries, keep-alive, receive stamps, where TTFT is taken — is one
/// machinery for both (streaming_call.cpp).
struct backend_wire {
    const char* generate_target;  ///< `/api/generate`, `/v1/chat/completions`, `/v1/completions`
    const char* stream_media_type;
    const char* probe_target;  ///< what readiness and model discovery ask: `/api/version`, `/v1/models`
    /// How failures name the backend: "Ollama", as it always did, or "backend NAME": an
    /// OpenAI-compatible backend may be llama.cpp, vLLM or SGLang, and only the operator's name says which.
    std::string who;
    const char* end_marker;   ///< what a complete stream ends with
    const char* missing_end;  ///< what a stream that stopped early lacks
    const char* not_a_chunk;  ///< what a malformed piece of the stream is
};

[[nodiscard]] backend_wire wire_of(const backend_settings& settings);

/// The headers every request to the backend carries: Host, and Authorization when set.
template <typename Request>
void set_backend_headers(Request& request, const backend_settings& settings) {
    request.set(boost::beast::http::field::host, settings.endpoint.authority());
    if (!settings.authorization.empty()) {
        request.set(boost::beast::http::field::authorization, settings.authorization);
    }
}

}  // namespace chimera::service
