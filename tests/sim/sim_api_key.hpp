// The engines' --api-key: which requests must bring it, and the 401 each engine answers without it.
#pragma once

#include <optional>

#include "sim_config.hpp"
#include "sim_responses.hpp"

namespace sim {

// The engine's 401 when `config` has an API key, the path is one the engine guards and the
// request does not bring the key; nullopt when it may go on. The simulator's own /sim routes
// are never guarded.
std::optional<response> refuse_without_api_key(const request& req, const sim_config& config);

}  // namespace sim
