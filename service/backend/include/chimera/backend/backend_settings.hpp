#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "chimera/backend/backend_endpoint.hpp"
#include "chimera/core/llm/backend_kind.hpp"
#include "chimera/core/llm/retry_backoff.hpp"

namespace chimera::service {

/// How we talk to one backend: an Ollama, or an OpenAI-compatible engine.
struct backend_settings {
    /// The operator's name for it (`--backend NAME=URL`): the `backend` label of its metrics
    /// and what a run document says a call ran on.
    std::string name = "default";
    core::backend_kind kind = core::backend_kind::ollama;
    /// The route a backend of kind openai is called on (`,api=completions`); unused for Ollama.
    core::openai_api openai_api = core::openai_api::chat;
    backend_endpoint endpoint{"127.0.0.1", "11434"};
    /// Streams it serves at once (Ollama: OLLAMA_NUM_PARALLEL); 0: no limit of ours.
    std::size_t max_streams = 0;
    /// The `Authorization` header value sent with every request (vLLM's --api-key); empty: none.
    std::string authorization;
    std::size_t pool_size = 8;  ///< idle keep-alive connections kept for reuse
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
    /// Ollama sends the status line only with the first token, after model load and
    /// prompt evaluation: this must cover a cold load of a large model.
    std::chrono::milliseconds headers_timeout{std::chrono::minutes{10}};
    std::chrono::milliseconds idle_timeout{std::chrono::minutes{2}};  ///< longest gap between chunks
    std::chrono::milliseconds call_timeout{std::chrono::minutes{30}};
    int max_call_attempts = 3;  ///< per LLM call; retries only where the backend can't have started
    core::retry_backoff backoff;
};

}  // namespace chimera::service
