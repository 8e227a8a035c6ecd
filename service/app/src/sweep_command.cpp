#include "sweep_command.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/recorded_sweep_import.hpp"
#include "chimera/core/sweep/sweep_analysis.hpp"
#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/sweep/sweep_report_html.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/runs/live_sweep.hpp"
#include "chimera/telemetry/log.hpp"
#include "command_config.hpp"
#include "progress_display.hpp"

namespace chimera::service {
namespace {

namespace fs = std::filesystem;

/// Every metrics.json under `dir`, ordered by config folder so reports are reproducible.
std::vector<core::recorded_metrics_file> read_recorded(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw std::invalid_argument("--from-recorded: not a directory: " + dir.string());
    std::vector<core::recorded_metrics_file> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().filename() != "metrics.json") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        auto metrics = nlohmann::json::parse(in, nullptr, false);
        if (metrics.is_discarded()) throw core::recorded_format_error(entry.path().string() + ": not JSON");
        files.push_back({core::recorded_folder(entry.path()), std::move(metrics)});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.folder < b.folder; });
    return files;
}

/// Folder names come from the filesystem and need not be UTF-8: replace, don't throw.
std::string json_report(const core::sweep_result& result) { return core::json_text(core::to_json(result), 2) + "\n"; }

std::string html_report(const core::sweep_result& result) { return core::render_sweep_html(result); }

using renderer = std::string (*)(const core::sweep_result&);

constexpr std::array report_formats{"md", "csv", "json", "html"};

/// Checked before any file is read, so a typo fails fast.
renderer renderer_for(const std::string& format) {
    if (format == "md") return core::render_sweep_markdown;
    if (format == "csv") return core::render_sweep_csv;
    if (format == "json") return json_report;
    if (format == "html") return html_report;
    throw std::invalid_argument("--format must be md, csv, json or html, not '" + format + "'");
}

/// A POST /sweeps body from a file, under the same rules.
core::sweep_spec read_spec(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::invalid_argument("--spec: cannot read " + file.string());
    const std::string body{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    auto parsed = core::parse_sweep_spec(body);
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        throw std::invalid_argument("--spec " + file.string() + ": " +
                                    (error->field.empty() ? "" : error->field + ": ") + error->detail);
    }
    return std::get<core::sweep_spec>(std::move(parsed));
}

void write_reports(const fs::path& dir, const core::sweep_result& result) {
    fs::create_directories(dir);
    for (const auto* format : report_formats) {
        std::ofstream out(dir / (std::string{"sweep_report."} + format), std::ios::binary);
        out << renderer_for(format)(result);
        if (!out) throw std::runtime_error("cannot write the sweep report to " + dir.string());
    }
}

/// Rewritten after every run, so that a long sweep can be looked at while it runs.
void write_partial_html(const fs::path& dir, const core::sweep_observations& so_far, core::sweep_completion done) {
    fs::create_directories(dir);
    std::ofstream out(dir / "sweep_report.html", std::ios::binary);
    out << core::render_sweep_html(core::analyze_sweep(so_far), {done});
}

live_sweep_observer show_progress(progress_display& display, const fs::path& output_dir, std::size_t planned) {
    return {
        [&display](const std::string& config) { display.run_started(config); },
        [&display, output_dir, planned, ended = std::size_t{0}](
            const std::string& config, const core::run_document& run, const core::sweep_observations& so_far) mutable {
            display.run_ended(config, run);
            write_partial_html(output_dir, so_far, {++ended, planned});
        }};
}

void say_where_results_are(const live_sweep_outcome& outcome, const fs::path& output_dir) {
    if (outcome.interrupted) {
        std::fprintf(stderr,
                     "interrupted after %zu of %zu runs (%zu succeeded): the partial report "
                     "(sweep_report.md, .csv, .json, .html) and the runs' files are in %s\n",
                     outcome.ended, outcome.planned, outcome.succeeded, output_dir.string().c_str());
        return;
    }
    std::fprintf(stderr, "%zu of %zu runs succeeded; outputs in %s\n", outcome.succeeded, outcome.planned,
                 output_dir.string().c_str());
}

}  // namespace

int run_sweep_command(std::span<char* const> args) {
    const auto config = parse_sweep_command_config(args);
    const auto render = renderer_for(config.format);
    if (!config.from_recorded.empty()) {
        const auto files = read_recorded(config.from_recorded);
        const auto text = render(core::analyze_sweep(core::import_recorded_sweep(files)));
        std::fputs(text.c_str(), stdout);
        return 0;
    }
    configure_logging(config.log);
    const auto spec = read_spec(config.spec_file);
    const auto planned = core::expand_sweep(spec).runs.size();
    progress_display display{planned};
    const auto outcome =
        execute_live_sweep({config.backends, spec, spec.model.value_or(config.model), config.output_dir, config.limits,
                            show_progress(display, config.output_dir, planned)});
    display.close();
    auto result = core::analyze_sweep(outcome.observations);
    result.cancelled = outcome.interrupted;
    write_reports(config.output_dir, result);
    std::fputs(render(result).c_str(), stdout);
    say_where_results_are(outcome, config.output_dir);
    if (outcome.interrupted) return interrupted_exit_status;
    return outcome.succeeded == outcome.planned ? 0 : 1;
}

}  // namespace chimera::service
