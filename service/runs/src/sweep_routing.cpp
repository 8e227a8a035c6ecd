#include "chimera/runs/sweep_routing.hpp"

#include <algorithm>

namespace chimera::service {
namespace {

/// The spec field that put `backend` on an arm: a grid value, else baseline.backend (the
/// baseline takes the grid's first backend when it names none).
std::string backend_field(const core::sweep_spec& spec, const std::string& backend, bool is_baseline) {
    if (is_baseline && spec.baseline_backend) return "baseline.backend";
    const auto at = std::find(spec.backends.begin(), spec.backends.end(), backend);
    if (at == spec.backends.end()) return "baseline.backend";
    return "grid.backend[" + std::to_string(at - spec.backends.begin()) + "]";
}

/// The grid value that `backend` (empty: routing by model) cannot take on its own, else the
/// baseline, whose options every config inherits.
std::string options_field(const backend_fleet& fleet,
                          const core::sweep_spec& spec,
                          const std::string& model,
                          const std::string& backend) {
    for (const auto& axis : spec.grid) {
        for (std::size_t j = 0; j < axis.values.size(); ++j) {
            if (fleet.refusal({backend, model, &axis.values[j]})) {
                return "grid." + axis.option + "[" + std::to_string(j) + "]";
            }
        }
    }
    return "baseline";
}

std::optional<core::request_error> arm_refusal(const backend_fleet& fleet,
                                               const core::sweep_spec& spec,
                                               const core::sweep_config& arm,
                                               const std::string& model,
                                               bool is_baseline) {
    const std::string backend = arm.backend.value_or("");
    auto refusal = fleet.refusal({backend, model, &arm.options});
    if (!refusal) return std::nullopt;
    if (refusal->field == "backend")
        return core::request_error{backend_field(spec, backend, is_baseline), refusal->detail};
    if (is_baseline) return core::request_error{"baseline", refusal->detail};
    return core::request_error{options_field(fleet, spec, model, backend), refusal->detail};
}

}  // namespace

std::optional<core::request_error> sweep_routing_refusal(const backend_fleet& fleet,
                                                         const core::sweep_spec& spec,
                                                         const core::sweep_plan& plan,
                                                         const std::string& model) {
    if (auto refused = arm_refusal(fleet, spec, plan.baseline, model, true)) return refused;
    for (const auto& config : plan.configs) {
        if (auto refused = arm_refusal(fleet, spec, config, model, false)) return refused;
    }
    return std::nullopt;
}

}  // namespace chimera::service
