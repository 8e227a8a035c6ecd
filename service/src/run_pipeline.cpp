#include "run_pipeline.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "chimera/core/data_summary.hpp"
#include "chimera/core/generate_request.hpp"
#include "chimera/core/prompts.hpp"
#include "chimera/core/report_renderer.hpp"
#include "ollama_streaming_call.hpp"
#include "run_failure.hpp"
#include "service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

double seconds_since(steady::time_point start) { return std::chrono::duration<double>(steady::now() - start).count(); }

/// Runs on the blocking pool. A plain coroutine function, not a capturing lambda:
/// GCC 12 double-destroys captures of coroutine lambdas handed to co_spawn.
awaitable<core::ingest_result> ingest_blocking(std::filesystem::path data_dir, core::ingest_limits limits) {
    co_return core::ingest_directory(data_dir, limits);
}

awaitable<core::ingest_result> ingest_off_thread(asio::thread_pool& blocking,
                                                 std::filesystem::path data_dir,
                                                 core::ingest_limits limits) {
    try {
        co_return co_await asio::co_spawn(blocking, ingest_blocking(std::move(data_dir), limits), asio::use_awaitable);
    } catch (const std::filesystem::filesystem_error& e) {
        throw run_failure("ingest_failed", std::string{"cannot read the data directory: "} + e.what());
    }
}

/// One streamed call, recorded in the run document and in the metrics.
awaitable<std::string> llm_call(run_pipeline_services& services,
                                core::run_document& run,
                                backend_connection& connection,
                                core::call_stage stage,
                                const std::string& prompt) {
    auto body = core::make_generate_body(run.model, prompt, run.options);
    auto result = co_await stream_generate(services.pool, connection, services.backend, std::move(body));
    auto call = core::make_call_metrics(stage, result.timings, result.stats);
    services.metrics.observe_call(run.model, call);
    run.calls.push_back(std::move(call));
    co_return std::move(result.text);
}

awaitable<std::string> run_stages(run_pipeline_services& services,
                                  core::run_document& run,
                                  std::filesystem::path data_dir) {
    run.stage = core::run_stage::ingest;
    auto stage_start = steady::now();
    run.ingest = co_await ingest_off_thread(services.blocking, std::move(data_dir), services.limits);
    run.timings.ingest_seconds = seconds_since(stage_start);
    if (run.ingest->files == 0) {
        throw run_failure("no_benchmark_files", "no readable .csv, .json or .md file under data_dir '" + run.data_dir +
                                                    "': there is nothing to analyse");
    }
    const auto summary = core::render_data_summary(*run.ingest);

    backend_connection connection;  // both calls share it: one keep-alive connection per run
    run.stage = core::run_stage::analysis;
    stage_start = steady::now();
    const auto analysis_text =
        co_await llm_call(services, run, connection, core::call_stage::analysis, core::build_analysis_prompt(summary));
    run.parsed_analysis = core::parse_analysis(analysis_text);
    run.timings.analysis_seconds = seconds_since(stage_start);

    run.stage = core::run_stage::report;
    stage_start = steady::now();
    const auto report_text = co_await llm_call(services, run, connection, core::call_stage::report,
                                               core::build_report_prompt(*run.parsed_analysis, summary));
    run.timings.report_seconds = seconds_since(stage_start);
    services.pool.release(std::move(connection));
    co_return report_text;
}

}  // namespace

awaitable<std::string> execute_run(run_pipeline_services services,
                                   core::run_document& run,
                                   std::filesystem::path data_dir) {
    const auto start = steady::now();
    run.status = core::run_status::running;
    run.started_at = std::chrono::system_clock::now();
    std::string report;
    try {
        const auto report_text = co_await run_stages(services, run, std::move(data_dir));
        run.stage = core::run_stage::done;
        run.status = core::run_status::succeeded;
        run.finished_at = std::chrono::system_clock::now();
        run.timings.total_seconds = seconds_since(start);
        report = core::render_report(run, report_text);
    } catch (const run_failure& failure) {
        run.status = core::run_status::failed;
        run.error = core::run_error{failure.type(), failure.what()};
    } catch (const std::exception& e) {
        run.status = core::run_status::failed;
        run.error = core::run_error{"internal_error", e.what()};
    }
    if (run.status == core::run_status::failed) {
        run.finished_at = std::chrono::system_clock::now();
        run.timings.total_seconds = seconds_since(start);
        spdlog::warn("run {} failed ({}): {}", run.id, run.error->type, run.error->detail);
    }
    services.metrics.observe_run_finished(run.status);
    co_return report;
}

}  // namespace chimera::service
