#pragma once

#include <string>
#include <string_view>

#include "chimera/core/llm/run_options.hpp"

namespace chimera::core {

/// The JSON body of a streamed OpenAI-compatible `POST /v1/chat/completions` (llama.cpp's
/// `llama-server`, vLLM): the prompt as the one user message, `stream_options.include_usage` so
/// the engine counts the tokens, and the options under the engines' names — temperature, top_p,
/// top_k, seed, and num_predict as max_tokens (Ollama's -1, no limit, is the field left out).
/// The options such a backend cannot take (options_unsupported_by) are not sent: the caller
/// refuses the run before it gets here.
[[nodiscard]] std::string make_chat_completion_body(std::string_view model,
                                                    std::string_view prompt,
                                                    const run_options& options);

/// The same for the text completions route, `POST /v1/completions`: the prompt as it is, in `prompt`.
[[nodiscard]] std::string make_completion_body(std::string_view model,
                                               std::string_view prompt,
                                               const run_options& options);

}  // namespace chimera::core
