#pragma once

#include <string_view>
#include <vector>

#include "chimera/core/llm/backend_kind.hpp"
#include "chimera/core/llm/run_options.hpp"

namespace chimera::core {

/// The names of the options set in `options` that a backend of `kind` cannot take, in the
/// order of run_options; none for Ollama, which takes them all. An OpenAI-compatible engine
/// cannot take:
/// - num_ctx and num_gpu: llama.cpp (`--ctx-size`, `--n-gpu-layers`) and vLLM
///   (`--max-model-len`, its GPU memory settings) fix them when the model is loaded, not per request;
/// - repeat_penalty: llama.cpp reads `repeat_penalty` (over the last 64 tokens), vLLM
///   `repetition_penalty` (over the prompt and the output), so a backend known only as
///   OpenAI-compatible has no name under which it means what it means in Ollama.
/// Dropping one silently would measure another configuration than the one asked for, so a run
/// that sets one is refused, naming them.
[[nodiscard]] std::vector<std::string_view> options_unsupported_by(backend_kind kind, const run_options& options);

}  // namespace chimera::core
