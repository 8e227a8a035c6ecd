#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace chimera::core {

/// Ollama options a run may set; unset ones are left to Ollama's defaults.
struct run_options {
    std::optional<std::int64_t> num_gpu;
    std::optional<std::int64_t> num_ctx;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<std::int64_t> top_k;
    std::optional<double> repeat_penalty;
    std::optional<std::int64_t> num_predict;
    std::optional<std::int64_t> seed;
};

/// An integer option: its name on the wire and the values a request may give it.
struct integer_option {
    std::string_view name;
    std::optional<std::int64_t> run_options::*member;
    std::int64_t min;
    std::int64_t max;
};

/// A floating-point option: its name on the wire and the values a request may give it.
struct number_option {
    std::string_view name;
    std::optional<double> run_options::*member;
    double min;
    double max;
};

// Ranges are what Ollama and llama.cpp accept in practice; anything outside is a typo, and
// refusing it when a run is submitted beats a 500 from the backend minutes later.
inline constexpr std::array integer_options{
    integer_option{"num_gpu", &run_options::num_gpu, 0, std::numeric_limits<std::int64_t>::max()},
    integer_option{"num_ctx", &run_options::num_ctx, 1, 1'048'576},
    integer_option{"top_k", &run_options::top_k, 0, 1000},
    integer_option{"num_predict", &run_options::num_predict, -1, 1'048'576},
    integer_option{"seed", &run_options::seed, std::numeric_limits<std::int64_t>::min(),
                   std::numeric_limits<std::int64_t>::max()},
};

inline constexpr std::array number_options{
    number_option{"temperature", &run_options::temperature, 0, 5},
    number_option{"top_p", &run_options::top_p, 0, 1},
    number_option{"repeat_penalty", &run_options::repeat_penalty, 0, 10},
};

/// Options as Ollama's `options` object (only the set ones).
[[nodiscard]] nlohmann::json to_json(const run_options& options);

}  // namespace chimera::core
