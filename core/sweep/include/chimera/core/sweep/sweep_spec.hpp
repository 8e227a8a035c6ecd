#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chimera/core/run/run_request.hpp"

namespace chimera::core {

/// One varied option of a sweep and the values it takes.
struct grid_axis {
    std::string option;               ///< a run option's name, e.g. "num_ctx"
    std::vector<run_options> values;  ///< one per grid value, each setting only `option`
};

/// The body of `POST /sweeps` (and `chimera sweep`), validated: every config is the baseline's
/// options overlaid with one point of the grid, run `repetitions` times next to the baseline.
/// The backend a run executes on is a grid dimension like an option (`grid.backend`), so one
/// sweep can compare engines.
struct sweep_spec {
    std::optional<std::string> model;     ///< server default when absent
    std::optional<std::string> data_dir;  ///< as in POST /runs
    std::optional<std::string> label;
    run_options baseline;  ///< empty = the backend's defaults (Ollama's: the seed's baseline)
    /// `baseline.backend`: where the baseline runs, and every config unless grid.backend names another.
    std::optional<std::string> baseline_backend;
    /// `grid.backend`: backend names in the order given, the outermost axis; empty when the
    /// backend does not vary.
    std::vector<std::string> backends;
    std::vector<grid_axis> grid;  ///< the option axes, seed order: num_gpu, num_ctx, temperature, top_p, top_k, …
    std::size_t repetitions = 3;  ///< runs per config, and of the baseline
    double cooldown_seconds = 0;  ///< pause between consecutive runs
};

inline constexpr std::size_t max_sweep_repetitions = 100;
inline constexpr std::size_t max_grid_values = 100;    ///< per option
inline constexpr std::size_t max_sweep_runs = 10'000;  ///< (configs + baseline) × repetitions
inline constexpr double max_cooldown_seconds = 3600;

/// Strict parse in the style of parse_run_request: malformed JSON, unknown fields, wrong types,
/// out-of-range values, empty or duplicate grid values and oversized grids are errors naming the
/// field ("grid.num_ctx[2]", "baseline.top_k", "grid.backend[1]", "repetitions"). Options and
/// backend names follow POST /runs' rules; whether the service has such a backend, and whether
/// it can take the options, is the service's to check (it knows its backends).
[[nodiscard]] std::variant<sweep_spec, request_error> parse_sweep_spec(std::string_view body);

/// Configs the grid expands to: the product of the axes' value counts (the backend axis included).
[[nodiscard]] std::size_t config_count(const sweep_spec& spec);

}  // namespace chimera::core
