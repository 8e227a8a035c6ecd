#include "run_command.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/core/run/agent_report_renderer.hpp"
#include "chimera/runs/local_runtime.hpp"
#include "chimera/runs/run_artifacts.hpp"
#include "chimera/runs/run_pipeline.hpp"
#include "chimera/telemetry/log.hpp"
#include "progress_display.hpp"

namespace chimera::service {

namespace {

double call_value(const core::run_document& run, std::size_t index, double core::call_metrics::*field) {
    return index < run.calls.size() ? run.calls[index].*field : 0.0;
}

void print_summary(const std::vector<core::run_document>& runs) {
    std::printf("%-4s %-10s %14s %14s %12s %12s %10s\n", "run", "status", "ttft_1 (ms)", "ttft_2 (ms)", "tok/s_1",
                "tok/s_2", "total (s)");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& run = runs[i];
        std::printf("%-4zu %-10s %14.2f %14.2f %12.2f %12.2f %10.3f\n", i + 1,
                    std::string{core::to_string(run.status)}.c_str(), call_value(run, 0, &core::call_metrics::ttft_ms),
                    call_value(run, 1, &core::call_metrics::ttft_ms),
                    call_value(run, 0, &core::call_metrics::tokens_per_second),
                    call_value(run, 1, &core::call_metrics::tokens_per_second), run.timings.total_seconds.value_or(0));
        if (run.error) {
            std::printf("     %s: %s\n", std::string{core::to_string(run.error->type)}.c_str(),
                        run.error->detail.c_str());
        }
    }
}

awaitable<void> execute_all(run_pipeline_services services,
                            const run_command_config& config,
                            std::vector<core::run_document>& runs,
                            run_cancellation& cancellation,
                            progress_display& display) {
    for (std::size_t i = 0; i < config.runs && !cancellation.cancelled(); ++i) {
        const auto name = "run_" + std::to_string(i + 1);
        display.run_started(name);
        auto& run = runs.emplace_back(local_run_document(config.model, config.options, std::nullopt, config.data_dir));
        const auto report = co_await execute_run(services, run, config.data_dir, cancellation);
        write_run_artifacts(config.output_dir / name, run, report, core::render_agent_report(run));
        display.run_ended(name, run);
    }
}

}  // namespace

int run_once(const run_command_config& config) {
    configure_logging(config.log);
    local_runtime runtime{config.backends, config.limits};
    std::vector<core::run_document> runs;
    runs.reserve(config.runs);
    progress_display display{config.runs};
    runtime.run(execute_all(runtime.services(), config, runs, runtime.cancellation(), display));
    display.close();
    print_summary(runs);
    std::printf("outputs in %s\n", config.output_dir.string().c_str());
    if (runtime.cancellation().cancelled()) {
        std::fprintf(stderr, "interrupted after %zu of %zu runs: their files are in %s\n", runs.size(), config.runs,
                     config.output_dir.string().c_str());
        return interrupted_exit_status;
    }
    const bool all_ok = std::all_of(runs.begin(), runs.end(),
                                    [](const auto& run) { return run.status == core::run_status::succeeded; });
    return all_ok ? 0 : 1;
}

}  // namespace chimera::service
