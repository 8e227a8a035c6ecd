#pragma once

#include <string>

namespace chimera::service {

/// The message of a backend's error body, in whichever shape it came: Ollama's
/// `{"error":"…"}`, the OpenAI-compatible `{"error":{"message":…}}` (llama.cpp, vLLM), older
/// vLLM's top-level `{"message":…,"object":"error"}` and FastAPI's `{"detail":"Not Found"}`;
/// else the body's first 200 bytes.
[[nodiscard]] std::string backend_error_message(const std::string& body);

}  // namespace chimera::service
