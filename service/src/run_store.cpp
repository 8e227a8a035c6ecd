#include "run_store.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

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

run_store::run_store(std::filesystem::path state_dir) : runs_dir_(std::move(state_dir) / "runs") {
    std::filesystem::create_directories(runs_dir_);
}

core::run_document& run_store::insert(core::run_document run) {
    auto id = run.id;
    auto [it, inserted] = runs_.emplace(std::move(id), std::make_unique<entry>(entry{std::move(run), {}}));
    return it->second->run;
}

void run_store::erase(std::string_view id) {
    if (const auto it = runs_.find(id); it != runs_.end()) {
        runs_.erase(it);
    }
}

core::run_document* run_store::find(std::string_view id) {
    const auto it = runs_.find(id);
    return it == runs_.end() ? nullptr : &it->second->run;
}

const std::string* run_store::report(std::string_view id) const {
    const auto it = runs_.find(id);
    if (it == runs_.end() || it->second->report.empty()) {
        return nullptr;
    }
    return &it->second->report;
}

void run_store::finish(const core::run_document& run, std::string report) {
    const auto it = runs_.find(run.id);
    if (it == runs_.end()) {
        return;
    }
    it->second->report = std::move(report);
    write_file(runs_dir_ / (run.id + ".json"),
               core::to_json(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!it->second->report.empty()) {
        write_file(runs_dir_ / (run.id + ".md"), it->second->report);
    }
}

}  // namespace chimera::service
