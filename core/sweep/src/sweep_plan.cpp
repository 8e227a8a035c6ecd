#include "chimera/core/sweep/sweep_plan.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "sweep_options.hpp"

namespace chimera::core {
namespace {

/// "ctx256", "temp0.6": the option's short name and its value as JSON prints it.
[[nodiscard]] std::string label_part(const grid_axis& axis, std::size_t value) {
    return detail::option_label_prefix(axis.option) + to_json(axis.values[value])[axis.option].dump();
}

/// The backend the baseline runs on: a grid of backends with none named for the baseline puts
/// it on the first, so that the baseline's runs do not spread over engines by routing.
[[nodiscard]] std::optional<std::string> baseline_backend(const sweep_spec& spec) {
    if (spec.baseline_backend || spec.backends.empty()) return spec.baseline_backend;
    return spec.backends.front();
}

/// Grid point `index` in mixed radix, the last axis as the least significant digit and the
/// backend axis, which comes first, as the most significant.
[[nodiscard]] sweep_config grid_point(const sweep_spec& spec, std::size_t index) {
    sweep_config config{"", spec.baseline, baseline_backend(spec)};
    std::vector<std::string> parts(spec.grid.size());
    for (std::size_t axis = spec.grid.size(); axis-- > 0;) {
        const auto& values = spec.grid[axis].values;
        const std::size_t value = index % values.size();
        index /= values.size();
        parts[axis] = label_part(spec.grid[axis], value);
        config.options = detail::overlay(config.options, values[value]);
    }
    // A backend's name is its label part, unprefixed: "llamacpp-b_temp0.6".
    if (!spec.backends.empty()) {
        config.backend = spec.backends.at(index);
        parts.insert(parts.begin(), *config.backend);
    }
    for (const auto& part : parts) config.label += (config.label.empty() ? "" : "_") + part;
    return config;
}

/// One block: the baseline, then the configs starting at `rotation`.
[[nodiscard]] std::vector<planned_run> block(std::size_t repetition, std::size_t configs, std::size_t rotation) {
    std::vector<planned_run> runs{{repetition, std::nullopt}};
    for (std::size_t i = 0; i < configs; ++i) runs.push_back({repetition, (rotation + i) % configs});
    return runs;
}

[[nodiscard]] std::vector<planned_run> ordered_block(std::size_t repetition,
                                                     std::size_t repetitions,
                                                     std::size_t configs) {
    const std::size_t pairs = (repetitions + 1) / 2;
    auto runs = block(repetition, configs, repetition / 2 * configs / pairs);
    const bool unpaired = repetitions % 2 == 1 && repetition + 1 == repetitions;
    if (unpaired) {
        // Move the baseline from the front to the middle of the block.
        std::rotate(runs.begin(), runs.begin() + 1, runs.begin() + 1 + static_cast<std::ptrdiff_t>(configs / 2));
    } else if (repetition % 2 == 1) {
        std::reverse(runs.begin(), runs.end());
    }
    return runs;
}

}  // namespace

sweep_plan expand_sweep(const sweep_spec& spec) {
    sweep_plan plan;
    plan.baseline = {"baseline", spec.baseline, baseline_backend(spec)};
    const std::size_t configs = config_count(spec);
    for (std::size_t i = 0; i < configs; ++i) plan.configs.push_back(grid_point(spec, i));
    for (std::size_t repetition = 0; repetition < spec.repetitions; ++repetition) {
        const auto runs = ordered_block(repetition, spec.repetitions, configs);
        plan.runs.insert(plan.runs.end(), runs.begin(), runs.end());
    }
    return plan;
}

const sweep_config& config_of(const sweep_plan& plan, const planned_run& run) {
    return run.config ? plan.configs.at(*run.config) : plan.baseline;
}

}  // namespace chimera::core
