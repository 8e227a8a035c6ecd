// Everything the endpoints share. Single-threaded: only the io thread touches it.
#pragma once

#include <utility>

#include "sim_config.hpp"
#include "sim_connections.hpp"
#include "sim_gate.hpp"
#include "sim_models.hpp"
#include "sim_stats.hpp"

namespace sim {

struct sim_state {
    explicit sim_state(sim_config c) : config{std::move(c)}, models{config.models, config.load_delay} {}

    const sim_config config;
    model_registry models;
    sim_stats stats;
    idle_connections idle;
    generation_gate gate;
};

}  // namespace sim
