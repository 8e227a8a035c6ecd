#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "chimera/core/run/run_document.hpp"

namespace chimera::service {

/// Writes the documents of a finished run into `dir` (created if needed):
///   report.md        the model's technical report, `report` — only when it is not empty
///   agent_report.md  the run report, `agent_report` (core::render_agent_report of `run`,
///                    rendered once by the caller, who records it elsewhere too)
///   metrics.json     proto-free-api/schemas/metrics.schema.json
///   run.json         the run document, as GET /runs/{id} shows it — written last, so that
///                    its presence means the run's other files are complete
/// Each file goes to a temporary name first and is renamed: readers never see half a file.
/// Blocking file I/O of a few KB; throws std::filesystem::filesystem_error.
void write_run_artifacts(const std::filesystem::path& dir,
                         const core::run_document& run,
                         std::string_view report,
                         std::string_view agent_report);

/// The documents of the server's runs, one directory per run: `<runs_dir>/<id>/`, for
/// operators and tools. The API serves the same text from the run store.
class run_artifacts {
public:
    /// Creates `runs_dir` if needed.
    explicit run_artifacts(std::filesystem::path runs_dir);

    void write(const core::run_document& run, std::string_view report, std::string_view agent_report) const;

private:
    std::filesystem::path runs_dir_;
};

}  // namespace chimera::service
