#include "chimera/core/llm/run_options.hpp"

#include <string>

#include <nlohmann/json.hpp>

namespace chimera::core {

nlohmann::json to_json(const run_options& options) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& option : integer_options) {
        if (const auto& value = options.*option.member) out[std::string(option.name)] = *value;
    }
    for (const auto& option : number_options) {
        if (const auto& value = options.*option.member) out[std::string(option.name)] = *value;
    }
    return out;
}

}  // namespace chimera::core
