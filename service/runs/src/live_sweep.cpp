#include "chimera/runs/live_sweep.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/run/agent_report_renderer.hpp"
#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/runs/local_runtime.hpp"
#include "chimera/runs/run_artifacts.hpp"
#include "chimera/runs/run_pipeline.hpp"
#include "chimera/runs/sweep_routing.hpp"

namespace chimera::service {
namespace asio = boost::asio;

namespace {

/// What the plan's coroutine works on; outlives it.
struct live_sweep_state {
    live_sweep_state(const live_sweep_settings& sweep, run_cancellation& cancel, asio::io_context& io)
        : settings(sweep),
          plan(core::expand_sweep(sweep.spec)),
          outcome{core::plan_observations(plan, sweep.model), plan.runs.size(), 0, 0, false},
          cancellation(cancel),
          cooldown(io) {
        runs.reserve(plan.runs.size());  // runs are referenced while they execute
    }

    const live_sweep_settings& settings;
    core::sweep_plan plan;
    live_sweep_outcome outcome;
    std::vector<core::run_document> runs;
    run_cancellation& cancellation;
    asio::steady_timer cooldown;
};

/// "03_baseline": sorts in plan order next to its neighbours.
std::string run_dir_name(std::size_t index, const std::string& arm) {
    auto number = std::to_string(index + 1);
    if (number.size() < 2) number.insert(0, 1, '0');
    return number.append("_").append(arm);
}

/// A signal cuts the pause short (and cancels the sweep).
awaitable<void> cool_down(asio::steady_timer& timer, std::chrono::milliseconds pause) {
    timer.expires_after(pause);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<void> execute_plan(run_pipeline_services services, live_sweep_state& state) {
    const auto& settings = state.settings;
    const auto pause = std::chrono::milliseconds{std::llround(settings.spec.cooldown_seconds * 1000)};
    const std::filesystem::path data_dir = settings.spec.data_dir.value_or(".");
    for (std::size_t i = 0; i < state.plan.runs.size(); ++i) {
        if (i > 0 && pause.count() > 0) co_await cool_down(state.cooldown, pause);
        if (state.cancellation.cancelled()) break;
        const auto& planned = state.plan.runs[i];
        const auto& config = core::config_of(state.plan, planned);
        if (settings.observer.run_started) settings.observer.run_started(config.label);
        auto& run =
            state.runs.emplace_back(local_run_document(settings.model, config.options, settings.spec.label, data_dir));
        run.backend = config.backend;
        const auto report = co_await execute_run(services, run, data_dir, state.cancellation);
        ++state.outcome.ended;
        write_run_artifacts(settings.output_dir / run_dir_name(i, config.label), run, report,
                            core::render_agent_report(run));
        if (run.status == core::run_status::succeeded) {
            core::arm_of(state.outcome.observations, planned).runs.push_back(core::make_run_observation(run.calls));
            ++state.outcome.succeeded;
        }
        if (settings.observer.run_ended) settings.observer.run_ended(config.label, run, state.outcome.observations);
    }
}

}  // namespace

live_sweep_outcome execute_live_sweep(const live_sweep_settings& settings) {
    local_runtime runtime{settings.backends, settings.limits};
    live_sweep_state state{settings, runtime.cancellation(), runtime.io()};
    // As POST /sweeps: refused whole before the first run, not failing run by run.
    if (auto refused = sweep_routing_refusal(runtime.services().fleet, settings.spec, state.plan, settings.model)) {
        throw std::invalid_argument("--spec: " + refused->field + ": " + refused->detail);
    }
    runtime.run(execute_plan(runtime.services(), state), [&state] { state.cooldown.cancel(); });
    state.outcome.interrupted = state.cancellation.cancelled();
    return std::move(state.outcome);
}

}  // namespace chimera::service
