#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "chimera/core/run_document.hpp"

namespace chimera::service {

/// Runs by id, with their reports. Finished runs are also written to
/// `<state_dir>/runs/<id>.json` and `<id>.md` so results outlive the process.
/// Not thread-safe: owned by the io thread. References stay valid for the
/// store's lifetime or until erase().
class run_store {
public:
    explicit run_store(std::filesystem::path state_dir);

    core::run_document& insert(core::run_document run);
    void erase(std::string_view id);
    [[nodiscard]] core::run_document* find(std::string_view id);
    [[nodiscard]] const std::string* report(std::string_view id) const;

    /// Records the report and writes both documents to the state directory.
    /// Blocking file I/O of a few KB; throws std::filesystem::filesystem_error.
    void finish(const core::run_document& run, std::string report);

private:
    struct entry {
        core::run_document run;
        std::string report;
    };

    std::filesystem::path runs_dir_;
    std::map<std::string, std::unique_ptr<entry>, std::less<>> runs_;
};

}  // namespace chimera::service
