#include "chimera/runs/run_artifacts.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "chimera/core/run/run_metrics_json.hpp"
#include "chimera/core/text/json_text.hpp"

namespace chimera::service {
namespace {

void write_file(const std::filesystem::path& path, std::string_view content) {
    const auto partial = std::filesystem::path{path}.concat(".partial");
    {
        std::ofstream out{partial, std::ios::binary | std::ios::trunc};
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();  // the flush may be what fails (disk full): check after it
        if (!out) {
            throw std::filesystem::filesystem_error("cannot write", partial, std::make_error_code(std::errc::io_error));
        }
    }
    std::filesystem::rename(partial, path);  // readers never see a half-written file
}

}  // namespace

void write_run_artifacts(const std::filesystem::path& dir,
                         const core::run_document& run,
                         std::string_view report,
                         std::string_view agent_report) {
    std::filesystem::create_directories(dir);
    if (!report.empty()) {
        write_file(dir / "report.md", report);
    }
    write_file(dir / "agent_report.md", agent_report);
    write_file(dir / "metrics.json", core::json_text(core::run_metrics_json(run), 2) + "\n");
    write_file(dir / "run.json", core::json_text(core::to_json(run), 2) + "\n");
}

run_artifacts::run_artifacts(std::filesystem::path runs_dir) : runs_dir_(std::move(runs_dir)) {
    std::filesystem::create_directories(runs_dir_);
}

void run_artifacts::write(const core::run_document& run, std::string_view report, std::string_view agent_report) const {
    write_run_artifacts(runs_dir_ / run.id, run, report, agent_report);
}

}  // namespace chimera::service
