// Command-line configuration of ollama-sim.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim_engine.hpp"
#include "sim_faults.hpp"

namespace sim {

struct sim_config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 11434;
    double tokens_per_second = 100;
    double prompt_tokens_per_second = 2000;
    std::chrono::milliseconds load_delay{0};
    std::uint64_t tokens = 64;
    std::vector<std::string> models{"gemma3:latest"};
    fault_plan faults;  // applies to requests without an X-Sim-Fault header
    sim::engine engine_kind = engine::ollama;
    // llama.cpp only: an SSE comment line (": ping") whenever a stream has been silent this long.
    std::optional<std::chrono::milliseconds> sse_ping;
    // llama.cpp and vLLM: their --api-key, which calls must bring as "Authorization: Bearer KEY".
    std::optional<std::string> api_key;
};

// Returns nullopt when --help was asked for. Throws std::invalid_argument naming the bad flag.
std::optional<sim_config> parse_command_line(std::span<char* const> args);

std::string_view usage();

}  // namespace sim
