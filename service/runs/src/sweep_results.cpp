#include "chimera/runs/sweep_results.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"

namespace chimera::service {
namespace {

core::sweep_spec stored_spec(const stored_sweep& sweep) {
    auto parsed = core::parse_sweep_spec(sweep.spec);
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        throw store_error("run store: the stored spec of sweep " + sweep.id + " no longer parses (" + error->field +
                          ": " + error->detail + ")");
    }
    return std::get<core::sweep_spec>(std::move(parsed));
}

/// What make_run_observation reads of a call, from the run document's `calls`.
std::vector<core::call_metrics> calls_of(const std::string& document) {
    const auto run = nlohmann::json::parse(document, nullptr, false);
    std::vector<core::call_metrics> calls;
    if (run.is_discarded() || !run.contains("calls")) return calls;
    for (const auto& call : run.at("calls")) {
        core::call_metrics metrics;
        metrics.ttft_ms = call.value("ttft_ms", 0.0);
        metrics.tokens_generated = call.value("tokens_generated", std::int64_t{0});
        metrics.eval_ms = call.value("eval_ms", 0.0);
        metrics.load_ms = call.value("load_ms", 0.0);
        metrics.total_ms = call.value("total_ms", 0.0);
        calls.push_back(metrics);
    }
    return calls;
}

}  // namespace

core::sweep_result sweep_results(const stored_sweep& sweep, const std::vector<stored_run>& runs) {
    const auto plan = core::expand_sweep(stored_spec(sweep));
    auto observations = core::plan_observations(plan, sweep.model);
    for (const auto& run : runs) {
        if (run.status != core::run_status::succeeded || !run.document) continue;
        const auto index = run.sweep_index.value_or(-1);
        if (index < 0 || static_cast<std::size_t>(index) >= plan.runs.size()) {
            throw store_error("run store: run " + run.id + " has no place in the plan of sweep " + sweep.id);
        }
        const auto calls = calls_of(*run.document);
        core::arm_of(observations, plan.runs[static_cast<std::size_t>(index)])
            .runs.push_back(core::make_run_observation(calls));
    }
    auto result = core::analyze_sweep(observations);
    result.cancelled = sweep.status == core::run_status::cancelled;
    return result;
}

}  // namespace chimera::service
