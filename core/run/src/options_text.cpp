#include "options_text.hpp"

#include "chimera/core/text/text.hpp"

namespace chimera::core::detail {
namespace {

[[nodiscard]] std::string option_text(std::int64_t value) { return std::to_string(value); }
[[nodiscard]] std::string option_text(double value) { return format_number(value); }

}  // namespace

std::string describe_options(const run_options& options) {
    std::string out;
    const auto add = [&out](std::string_view name, const auto& value) {
        if (!value) return;
        if (!out.empty()) out += ", ";
        out += name;
        out += '=';
        out += option_text(*value);
    };
    // The seed report's order: the sweep axes first.
    add("num_gpu", options.num_gpu);
    add("num_ctx", options.num_ctx);
    add("temperature", options.temperature);
    add("top_p", options.top_p);
    add("top_k", options.top_k);
    add("repeat_penalty", options.repeat_penalty);
    add("num_predict", options.num_predict);
    add("seed", options.seed);
    return out.empty() ? "Ollama defaults" : out;
}

}  // namespace chimera::core::detail
