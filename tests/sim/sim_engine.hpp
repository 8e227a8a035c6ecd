// Which server the simulator stands in for: Ollama, or an OpenAI-compatible engine.
#pragma once

#include <optional>
#include <string_view>

namespace sim {

enum class engine { ollama, llamacpp, vllm };

inline std::optional<engine> parse_engine(std::string_view name) {
    if (name == "ollama") {
        return engine::ollama;
    }
    if (name == "llamacpp") {
        return engine::llamacpp;
    }
    if (name == "vllm") {
        return engine::vllm;
    }
    return std::nullopt;
}

}  // namespace sim
