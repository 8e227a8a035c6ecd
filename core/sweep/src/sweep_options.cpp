#include "sweep_options.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

namespace chimera::core::detail {
namespace {

struct option_name {
    std::string_view option;
    std::string_view label_prefix;
};

constexpr std::array known_options{
    option_name{"num_gpu", "gpu"},
    option_name{"num_ctx", "ctx"},
    option_name{"temperature", "temp"},
    option_name{"top_p", "top_p"},
    option_name{"top_k", "top_k"},
    option_name{"repeat_penalty", "repeat_penalty"},
    option_name{"num_predict", "num_predict"},
    option_name{"seed", "seed"},
};

}  // namespace

std::variant<run_options, request_error> parse_options(const nlohmann::json& options) {
    auto parsed = parse_run_request(nlohmann::json{{"options", options}}.dump());
    if (auto* error = std::get_if<request_error>(&parsed)) return std::move(*error);
    return std::get<run_request>(parsed).options;
}

run_options overlay(const run_options& base, const run_options& patch) {
    // Through JSON so an option added to run_options later is overlaid without touching this.
    auto merged = to_json(base);
    merged.update(to_json(patch));
    return std::get<run_options>(parse_options(merged));
}

std::size_t option_rank(std::string_view option) {
    for (std::size_t i = 0; i < known_options.size(); ++i) {
        if (known_options[i].option == option) return i;
    }
    return known_options.size();
}

std::string option_label_prefix(std::string_view option) {
    const auto rank = option_rank(option);
    return std::string(rank < known_options.size() ? known_options[rank].label_prefix : option);
}

}  // namespace chimera::core::detail
