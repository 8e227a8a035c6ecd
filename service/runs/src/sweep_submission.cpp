#include "chimera/runs/sweep_submission.hpp"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/runs/run_id.hpp"

namespace chimera::service {
namespace {

std::string run_request(const core::sweep_spec& spec,
                        const std::string& model,
                        const std::string& label,
                        const core::sweep_config& config) {
    nlohmann::json request{{"model", model}, {"label", label}, {"options", core::to_json(config.options)}};
    if (spec.data_dir) request["data_dir"] = *spec.data_dir;
    // A run naming its backend runs only there: each arm measures one engine.
    if (config.backend) request["backend"] = *config.backend;
    return request.dump();
}

}  // namespace

sweep_submission make_sweep_submission(const core::sweep_spec& spec,
                                       std::string spec_json,
                                       std::string model,
                                       core::wall_time created_at) {
    sweep_submission submission;
    submission.id = make_run_id();
    submission.model = std::move(model);
    submission.label = spec.label;
    submission.spec = std::move(spec_json);
    submission.cooldown = std::chrono::milliseconds{std::llround(spec.cooldown_seconds * 1000)};
    submission.created_at = created_at;
    const auto plan = core::expand_sweep(spec);
    const std::string label = "sweep:" + submission.id;
    submission.runs.reserve(plan.runs.size());
    for (const auto& planned : plan.runs) {
        const auto& config = core::config_of(plan, planned);
        const std::string arm = planned.config ? config.label : std::string{baseline_arm};
        submission.runs.push_back({make_run_id(), arm, run_request(spec, submission.model, label, config)});
    }
    return submission;
}

}  // namespace chimera::service
