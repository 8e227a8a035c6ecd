// ollama-sim: a faithful Ollama stand-in for Chimera's tests and benchmarks.
#include <exception>
#include <iostream>
#include <span>
#include <stdexcept>

#include "sim_config.hpp"
#include "sim_server.hpp"

int main(int argc, char** argv) {
    std::optional<sim::sim_config> config;
    try {
        config = sim::parse_command_line(std::span<char* const>{argv, static_cast<std::size_t>(argc)});
    } catch (const std::invalid_argument& e) {
        std::cerr << "ollama-sim: " << e.what() << "\n\n" << sim::usage();
        return 2;
    }
    if (!config) {
        std::cout << sim::usage();
        return 0;
    }
    try {
        sim::sim_server server{std::move(*config)};
        server.run();
    } catch (const std::exception& e) {
        std::cerr << "ollama-sim: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
