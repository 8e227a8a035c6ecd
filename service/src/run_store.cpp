#include "run_store.hpp"

namespace chimera::service {

run_store::run_store(std::filesystem::path state_dir) : artifacts_(std::move(state_dir) / "runs") {}

core::run_document& run_store::insert(core::run_document run) {
    auto id = run.id;
    auto [it, inserted] = runs_.emplace(std::move(id), std::make_unique<core::run_document>(std::move(run)));
    return *it->second;
}

void run_store::erase(std::string_view id) {
    if (const auto it = runs_.find(id); it != runs_.end()) {
        runs_.erase(it);
    }
}

core::run_document* run_store::find(std::string_view id) {
    const auto it = runs_.find(id);
    return it == runs_.end() ? nullptr : it->second.get();
}

std::optional<std::string> run_store::report(std::string_view id, report_kind kind) const {
    if (!runs_.contains(id)) {
        return std::nullopt;  // only ids of real runs become paths
    }
    return artifacts_.read_report(id, kind);
}

void run_store::finish(const core::run_document& run, std::string_view report) {
    if (runs_.contains(run.id)) {
        artifacts_.write(run, report);
    }
}

}  // namespace chimera::service
