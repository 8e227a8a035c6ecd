// Routing with the engine's answers for unknown paths and methods (gin's for Ollama), and the
// endpoints that answer at once.
#pragma once

#include <variant>

#include "sim_responses.hpp"
#include "sim_state.hpp"

namespace sim {

enum class endpoint {
    root,
    version,
    tags,
    ps,
    show,
    generate,
    openai_models,
    chat_completions,
    completions,
    stats,
    reset,
    drop_idle,
    hold,
    release
};

// The endpoint a request names among those `kind` serves, or the engine's 404/405 response.
std::variant<endpoint, response> route(const request& req, engine kind);

// Answers every endpoint except generate and the completions, which stream.
response handle_immediate(endpoint target, const request& req, sim_state& state);

}  // namespace sim
