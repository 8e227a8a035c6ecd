#include "sweep_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/core/sweep/recorded_sweep_import.hpp"
#include "chimera/core/sweep/sweep_analysis.hpp"
#include "chimera/core/sweep/sweep_report.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/json_text.hpp"
#include "chimera/runs/live_sweep.hpp"
#include "chimera/telemetry/log.hpp"
#include "command_config.hpp"

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

using renderer = std::string (*)(const core::sweep_result&);

/// Checked before any file is read, so a typo fails fast.
renderer renderer_for(const std::string& format) {
    if (format == "md") return core::render_sweep_markdown;
    if (format == "csv") return core::render_sweep_csv;
    if (format == "json") return json_report;
    throw std::invalid_argument("--format must be md, csv or json, not '" + format + "'");
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
    for (const auto* format : {"md", "csv", "json"}) {
        std::ofstream out(dir / (std::string{"sweep_report."} + format), std::ios::binary);
        out << renderer_for(format)(result);
        if (!out) throw std::runtime_error("cannot write the sweep report to " + dir.string());
    }
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
    const auto outcome =
        execute_live_sweep({config.backend, spec, spec.model.value_or(config.model), config.output_dir, config.limits});
    const auto result = core::analyze_sweep(outcome.observations);
    write_reports(config.output_dir, result);
    std::fputs(render(result).c_str(), stdout);
    std::fprintf(stderr, "%zu of %zu runs succeeded; outputs in %s\n", outcome.succeeded, outcome.planned,
                 config.output_dir.string().c_str());
    return outcome.succeeded == outcome.planned ? 0 : 1;
}

}  // namespace chimera::service
