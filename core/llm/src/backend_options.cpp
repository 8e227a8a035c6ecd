#include "chimera/core/llm/backend_options.hpp"

namespace chimera::core {

std::vector<std::string_view> options_unsupported_by(backend_kind kind, const run_options& options) {
    std::vector<std::string_view> names;
    if (kind == backend_kind::ollama) return names;
    if (options.num_gpu) names.emplace_back("num_gpu");
    if (options.num_ctx) names.emplace_back("num_ctx");
    if (options.repeat_penalty) names.emplace_back("repeat_penalty");
    return names;
}

}  // namespace chimera::core
