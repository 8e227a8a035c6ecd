#include "sweep_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/core/recorded_sweep_import.hpp"
#include "chimera/core/sweep_analysis.hpp"
#include "chimera/core/sweep_report.hpp"
#include "cli_flags.hpp"

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
std::string json_report(const core::sweep_result& result) {
    return core::to_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

using renderer = std::string (*)(const core::sweep_result&);

/// Checked before any file is read, so a typo fails fast.
renderer renderer_for(const std::string& format) {
    if (format == "md") return core::render_sweep_markdown;
    if (format == "csv") return core::render_sweep_csv;
    if (format == "json") return json_report;
    throw std::invalid_argument("--format must be md, csv or json, not '" + format + "'");
}

}  // namespace

std::string sweep_usage() {
    return R"(usage: chimera sweep --from-recorded DIR [--format md|csv|json]

Recomputes the statistics of a sweep the reference agents recorded (the seed report's study)
from its per-config metrics.json files, found recursively under DIR, and prints the report:
per-config throughput and TTFT, deltas vs baseline, Welch p, Cohen's d, ranking, success rate.

  --from-recorded DIR   e.g. .../Demo_rust_agent_sweep or .../chimera_sweep
  --format FORMAT       md (default), csv or json
)";
}

int run_sweep_command(std::span<char* const> args) {
    const cli_flags flags{args, {"from-recorded", "format"}};
    const auto dir = flags.get("from-recorded");
    if (!dir) throw std::invalid_argument("sweep needs --from-recorded DIR (see chimera sweep --help)");
    const auto render = renderer_for(flags.get_or("format", "md"));
    const auto files = read_recorded(*dir);
    const auto text = render(core::analyze_sweep(core::import_recorded_sweep(files)));
    std::fputs(text.c_str(), stdout);
    return 0;
}

}  // namespace chimera::service
