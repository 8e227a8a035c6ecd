// Routing with gin's answers for unknown paths and methods, and the endpoints that answer at once.
#pragma once

#include <variant>

#include "sim_responses.hpp"
#include "sim_state.hpp"

namespace sim {

enum class endpoint { root, version, tags, ps, show, generate, stats, reset, drop_idle };

// The endpoint a request names, or the 404/405 response gin would give.
std::variant<endpoint, response> route(const request& req);

// Answers every endpoint except generate, which streams.
response handle_immediate(endpoint target, const request& req, sim_state& state);

}  // namespace sim
