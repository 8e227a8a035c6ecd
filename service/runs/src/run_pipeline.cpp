#include "chimera/runs/run_pipeline.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chimera/backend/backend_probe.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/backend/streaming_call.hpp"
#include "chimera/core/llm/call_body.hpp"
#include "chimera/core/llm/prompts.hpp"
#include "chimera/core/run/data_summary.hpp"
#include "chimera/core/run/report_renderer.hpp"
#include "chimera/core/run/run_failure.hpp"
#include "chimera/runs/data_root.hpp"
#include "chimera/runs/run_event_messages.hpp"
#include "chimera/runs/run_events.hpp"
#include "chimera/telemetry/log.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

double seconds_since(steady::time_point start) { return std::chrono::duration<double>(steady::now() - start).count(); }

double unit_random() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>{0.0, 1.0}(generator);
}

void enter_stage(const run_pipeline_services& services, core::run_document& run, core::run_stage stage) {
    run.stage = stage;
    log_run_event(log_level::info, run.id, core::to_string(stage), "stage started", request_id_of(run));
    if (services.events != nullptr) publish_status(*services.events, run);
}

/// Counts a call in its backend's in-flight gauge while it streams, however it ends.
class in_flight_call {
public:
    in_flight_call(service_metrics& metrics, const std::string& backend) : metrics_(metrics), backend_(backend) {
        metrics_.add_backend_requests_in_flight(backend_, 1);
    }
    ~in_flight_call() { metrics_.add_backend_requests_in_flight(backend_, -1); }
    in_flight_call(const in_flight_call&) = delete;
    in_flight_call& operator=(const in_flight_call&) = delete;

private:
    service_metrics& metrics_;
    const std::string& backend_;
};

/// What an attempt streamed before it ended: a failed call keeps it in its record.
struct attempt_progress {
    steady::time_point start = steady::now();
    std::optional<double> ttft_ms;
    std::int64_t tokens = 0;
};

/// Records a read's inter-token gaps and the attempt's progress, and sends its text to
/// whoever watches the run (a map lookup when nobody does).
token_sink token_observer(run_pipeline_services& services,
                          const core::run_document& run,
                          core::call_stage stage,
                          gap_histogram inter_token,
                          attempt_progress& progress) {
    return [&services, &run, stage, inter_token, &progress](const token_batch& batch) mutable {
        inter_token.observe(batch.gap_seconds, batch.count);
        // A batch counts the gaps between its tokens: the first batch has one token more.
        if (!progress.ttft_ms) {
            progress.ttft_ms = std::chrono::duration<double, std::milli>(steady::now() - progress.start).count();
            ++progress.tokens;
        }
        progress.tokens += static_cast<std::int64_t>(batch.count);
        if (services.events != nullptr && services.events->watched(run.id)) {
            publish_tokens(*services.events, run.id, stage, batch.text);
        }
    };
}

void throw_if_cancelled(const run_cancellation& cancellation) {
    if (cancellation.cancelled()) {
        throw core::run_failure::cancelled("the run was cancelled");
    }
}

/// Runs on the blocking pool, opening the directory included. A plain coroutine function,
/// not a capturing lambda: GCC 12 double-destroys captures of coroutine lambdas handed to co_spawn.
/// `chimera serve` opens data_dir beneath its data root again, so that nothing changed on disk
/// since the request can lead the run outside; `chimera run` (no roots) trusts its own --data-dir.
awaitable<core::ingest_result> ingest_blocking(const data_root* roots,
                                               std::filesystem::path data_dir,
                                               core::ingest_limits limits) {
    const auto dir = roots != nullptr ? roots->open(data_dir) : core::confined_directory::open(data_dir);
    auto ingest = core::ingest_directory(dir, limits);
    // Here, not on the io thread: in a burst of runs, results wait there for it in hundreds.
    core::keep_summary_metrics(ingest);
    co_return ingest;
}

awaitable<core::ingest_result> ingest_off_thread(const run_pipeline_services& services,
                                                 std::filesystem::path data_dir) {
    try {
        auto ingest = co_await asio::co_spawn(services.blocking,
                                              ingest_blocking(services.roots, std::move(data_dir), services.limits),
                                              asio::use_awaitable);
        co_return ingest;
    } catch (const std::filesystem::filesystem_error& e) {
        throw core::run_failure::of_run(core::failure_type::ingest_failed,
                                        std::string{"cannot read the data directory: "} + e.what());
    }
}

/// Waits out a retry back-off; cancellation cuts it short.
awaitable<void> back_off(run_cancellation& cancellation, std::chrono::milliseconds delay) {
    asio::steady_timer timer{co_await asio::this_coro::executor, delay};
    {
        const auto exposed = cancellation.attach(timer);
        // The error is always operation_aborted or none: cancellation is checked just below.
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    throw_if_cancelled(cancellation);
}

/// One call as the run asks for it. The body is built for the backend each attempt runs on.
struct call_request {
    core::call_stage stage;
    std::string prompt;
};

core::call_metrics failed_call_record(core::call_stage stage,
                                      int attempts,
                                      const core::run_failure& failure,
                                      std::vector<std::string> attempt_errors,
                                      const attempt_progress& progress) {
    return core::make_failed_call_metrics(
        {.stage = stage,
         .attempts = attempts,
         .outcome = failure.outcome(),
         .error = failure.what(),
         .attempt_errors = std::move(attempt_errors),
         .ttft_ms = progress.ttft_ms,
         .tokens_streamed = progress.tokens,
         .stream_ms = std::chrono::duration<double, std::milli>(steady::now() - progress.start).count()});
}

/// Where a run's calls go: its stream on a backend, that backend's connection, and how it was
/// routed (a call that fails before its first token on one backend may move to another).
struct run_backend {
    backend_route route;
    stream_slot slot;
    backend_connection connection;
};

/// Moves the run to another backend after a call failed there before its first token, when
/// another can serve it; else it stays (and the call retries where it was, after a back-off).
awaitable<bool> fail_over(run_pipeline_services& services, run_backend& where, run_cancellation& cancellation) {
    auto& failed = where.slot.backend();
    failed.note_failure_before_first_token(steady::now());
    where.route.skipped.push_back(failed.name());
    if (!services.fleet.can_fail_over(where.route)) co_return false;
    where.connection.reset();
    where.slot = stream_slot{};  // freed before waiting: the run must not hold two streams
    where.slot = co_await services.fleet.reserve(where.route, cancellation);
    co_return true;
}

/// One attempt of a call on the run's backend, recorded in the metrics under that backend.
awaitable<core::call_metrics> attempt_call(run_pipeline_services& services,
                                           core::run_document& run,
                                           run_backend& where,
                                           run_cancellation& cancellation,
                                           const call_request& call,
                                           attempt_progress& progress,
                                           std::string& text) {
    auto& backend = where.slot.backend();
    const auto& settings = backend.settings();
    const auto body = core::make_call_body(settings.kind, settings.openai_api, run.model, call.prompt, run.options);
    generate_call_context context{
        backend.pool(), settings, &cancellation,
        token_observer(services, run, call.stage,
                       services.metrics.inter_token_latency(settings.name, run.model, call.stage), progress)};
    streamed_generation result;
    {
        const in_flight_call counted{services.metrics, settings.name};
        result = co_await stream_generate(context, where.connection, body);
    }
    backend.note_call_completed();
    text = std::move(result.text);
    auto metrics = core::make_call_metrics(call.stage, result.timings, result.stats);
    metrics.backend = settings.name;
    co_return metrics;
}

/// One LLM call with its retries, recorded in the run document (a failed call too) and in the
/// metrics. Only failures where the backend can't have started are retried
/// (core::run_failure::retryable): on another backend when one can serve the run, else on the
/// same one after a back-off. Takes the call by value so that its prompt is freed when the
/// call ends rather than with the run.
awaitable<std::string> llm_call(run_pipeline_services& services,
                                core::run_document& run,
                                run_backend& where,
                                run_cancellation& cancellation,
                                call_request call) {
    attempt_progress progress;
    std::vector<std::string> attempt_errors;
    for (int attempt = 1;; ++attempt) {
        progress = attempt_progress{};
        const auto backend_name = where.slot.backend().name();
        std::optional<core::run_failure> failure;
        try {
            std::string text;
            auto metrics = co_await attempt_call(services, run, where, cancellation, call, progress, text);
            metrics.attempts = attempt;
            metrics.attempt_errors = std::move(attempt_errors);
            services.metrics.observe_call(run.model, metrics);
            services.metrics.observe_call_outcome(backend_name, run.model, call.stage, core::llm_outcome::ok);
            run.calls.push_back(std::move(metrics));
            co_return text;
        } catch (const core::run_failure& e) {
            failure = e;
        }
        services.metrics.observe_call_outcome(backend_name, run.model, call.stage, failure->outcome());
        const auto& settings = where.slot.backend().settings();
        if (!failure->retryable() || attempt >= settings.max_call_attempts || cancellation.cancelled()) {
            auto record = failed_call_record(call.stage, attempt, *failure, std::move(attempt_errors), progress);
            record.backend = backend_name;
            run.calls.push_back(std::move(record));
            const auto suffix = attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : std::string{};
            throw failure->final_after(suffix);
        }
        attempt_errors.emplace_back(backend_name + ": " + failure->what());
        log_run_event(log_level::info, run.id, core::to_string(call.stage),
                      "call attempt " + std::to_string(attempt) + " on backend " + backend_name +
                          " failed, retrying: " + failure->what(),
                      request_id_of(run));
        services.metrics.observe_call_retry(backend_name, run.model, call.stage);
        const auto backoff = settings.backoff.delay_before(attempt + 1, unit_random());
        if (!co_await fail_over(services, where, cancellation)) co_await back_off(cancellation, backoff);
    }
}

awaitable<core::ingest_result> ingest_stage(run_pipeline_services& services,
                                            core::run_document& run,
                                            std::filesystem::path data_dir) {
    enter_stage(services, run, core::run_stage::ingest);
    const auto start = steady::now();
    auto ingest = co_await ingest_off_thread(services, std::move(data_dir));
    run.timings.ingest_seconds = seconds_since(start);
    services.metrics.observe_run_stage(core::run_stage::ingest, *run.timings.ingest_seconds);
    services.metrics.observe_ingest(ingest);
    co_return ingest;
}

/// Why the ingested files cannot be analysed, if they cannot.
std::optional<core::run_failure> nothing_to_analyse(const core::run_document& run) {
    if (run.ingest->limit_exceeded) {
        return core::run_failure::of_run(core::failure_type::ingest_limit_exceeded,
                                         "data_dir '" + run.data_dir + "': " + *run.ingest->limit_exceeded);
    }
    if (run.ingest->files == 0) {
        return core::run_failure::of_run(
            core::failure_type::no_benchmark_files,
            "no readable .csv, .json or .md file under data_dir '" + run.data_dir + "': there is nothing to analyse");
    }
    return std::nullopt;
}

/// What a run's check of its backend found (check_run_connection), for its document.
std::optional<core::engine_identity> engine_of(const fleet_backend& backend, const probe_result& check) {
    if (!check.ready) return std::nullopt;
    return core::engine_identity{backend.name(), backend.settings().kind, check.version};
}

awaitable<std::string> run_stages(run_pipeline_services& services,
                                  core::run_document& run,
                                  std::filesystem::path data_dir,
                                  run_cancellation& cancellation) {
    using namespace asio::experimental::awaitable_operators;
    const std::string_view named = run.backend ? std::string_view{*run.backend} : std::string_view{};
    run_backend where{{named, run.model, &run.options}, {}, {}};
    where.slot = co_await services.fleet.reserve(where.route, cancellation);
    // POST /runs refuses such runs; this holds for runs that reach a backend another way.
    if (auto why = where.slot.backend().options_refusal(run.options)) {
        throw core::run_failure::of_run(core::failure_type::unsupported_options, std::move(*why));
    }
    // The connection is opened and checked while the files are read, so that the first call's
    // TTFT holds neither a connect nor the connection's first request (the second call's never did).
    auto& backend = where.slot.backend();
    auto [ingest, checked] = co_await (ingest_stage(services, run, std::move(data_dir)) &&
                                       check_run_connection(backend.pool(), backend.settings()));
    run.ingest = std::move(ingest);
    run.engine = engine_of(backend, checked.check);
    if (!run.engine) {
        // Said here because the run document can only say null: the first call may well succeed.
        log_run_event(
            log_level::info, run.id, core::to_string(core::run_stage::ingest),
            "check of backend " + backend.name() + " failed, the first call connects itself: " + checked.check.detail,
            request_id_of(run));
    }
    where.connection = std::move(checked.connection);
    if (auto unusable = nothing_to_analyse(run)) {
        backend.pool().release(std::move(where.connection));  // unused, and good for the next run
        throw std::move(*unusable);
    }
    throw_if_cancelled(cancellation);
    const auto summary = core::render_data_summary(*run.ingest);

    // Both calls share the backend and its connection: one keep-alive connection per run.
    enter_stage(services, run, core::run_stage::analysis);
    auto stage_start = steady::now();
    call_request analysis_call{core::call_stage::analysis, core::build_analysis_prompt(summary)};
    const auto analysis_text = co_await llm_call(services, run, where, cancellation, std::move(analysis_call));
    run.parsed_analysis = core::parse_analysis(analysis_text);
    run.timings.analysis_seconds = seconds_since(stage_start);
    services.metrics.observe_run_stage(core::run_stage::analysis, *run.timings.analysis_seconds);

    enter_stage(services, run, core::run_stage::report);
    stage_start = steady::now();
    call_request report_call{core::call_stage::report, core::build_report_prompt(*run.parsed_analysis, summary)};
    auto report_text = co_await llm_call(services, run, where, cancellation, std::move(report_call));
    run.timings.report_seconds = seconds_since(stage_start);
    services.metrics.observe_run_stage(core::run_stage::report, *run.timings.report_seconds);
    where.slot.backend().pool().release(std::move(where.connection));
    co_return report_text;
}

/// A failed or cancelled run keeps the stage it ended in: the line says where it broke.
void log_run_end(const core::run_document& run) {
    std::vector<log_field> fields{{"run_id", run.id},
                                  {"stage", core::to_string(run.stage)},
                                  {"status", core::to_string(run.status)},
                                  {"total_seconds", run.timings.total_seconds.value_or(0.0)}};
    if (run.error) fields.push_back({"error_type", core::to_string(run.error->type)});
    if (run.request_id) fields.push_back({"request_id", *run.request_id});
    if (!run.error) {
        log_event(log_level::info, "run succeeded", fields);
        return;
    }
    log_event(log_level::warn, "run " + std::string{core::to_string(run.status)} + ": " + run.error->detail, fields);
}

void record_failure(core::run_document& run, const core::run_failure& failure) {
    run.status =
        failure.type() == core::failure_type::cancelled ? core::run_status::cancelled : core::run_status::failed;
    run.error = core::run_error{failure.type(), failure.what()};
}

}  // namespace

awaitable<std::string> execute_run(run_pipeline_services services,
                                   core::run_document& run,
                                   std::filesystem::path data_dir,
                                   run_cancellation& cancellation) {
    const auto start = steady::now();
    run.status = core::run_status::running;
    run.started_at = std::chrono::system_clock::now();
    std::string report_text;
    try {
        report_text = co_await run_stages(services, run, std::move(data_dir), cancellation);
        run.stage = core::run_stage::done;
        run.status = core::run_status::succeeded;
    } catch (const core::run_failure& failure) {
        record_failure(run, failure);
    } catch (const std::exception& e) {
        run.status = core::run_status::failed;
        run.error = core::run_error{core::failure_type::internal_error, e.what()};
    }
    run.finished_at = std::chrono::system_clock::now();
    run.timings.total_seconds = seconds_since(start);
    auto report = run.status == core::run_status::succeeded ? core::render_report(run, report_text) : std::string{};
    // A run a drain stopped is not finished: the scheduler hands it back to the queue and says so.
    const bool handed_back =
        run.status == core::run_status::cancelled && cancellation.reason() == core::cancel_reason::drain;
    if (!handed_back) {
        log_run_end(run);
        services.metrics.observe_run_total(*run.timings.total_seconds);
        services.metrics.observe_run_finished(run.status);
    }
    co_return report;
}

}  // namespace chimera::service
