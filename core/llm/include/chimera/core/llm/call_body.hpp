#pragma once

#include <string>
#include <string_view>

#include "chimera/core/llm/backend_kind.hpp"
#include "chimera/core/llm/run_options.hpp"

namespace chimera::core {

/// The body of one streamed LLM call in the wire of a backend of `kind`: Ollama's
/// `/api/generate` (make_generate_body) or the OpenAI-compatible `/v1/chat/completions`
/// (make_chat_completion_body) or `/v1/completions` (make_completion_body), as `api` says. The
/// pipeline calls this, and stays the same for all.
[[nodiscard]] std::string make_call_body(
    backend_kind kind, openai_api api, std::string_view model, std::string_view prompt, const run_options& options);

}  // namespace chimera::core
