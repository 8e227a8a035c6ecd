#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chimera/core/run_document.hpp"
#include "run_artifacts.hpp"

namespace chimera::service {

/// Runs by id. Finished runs are also written to `<state_dir>/runs/<id>/` (run_artifacts)
/// so results outlive the process; their reports are read back from there.
/// Not thread-safe: owned by the io thread. References stay valid for the
/// store's lifetime or until erase().
class run_store {
public:
    explicit run_store(std::filesystem::path state_dir);

    core::run_document& insert(core::run_document run);
    void erase(std::string_view id);
    [[nodiscard]] core::run_document* find(std::string_view id);

    /// The report of `kind` of a run in the store, once written; blocking read of a few KB.
    [[nodiscard]] std::optional<std::string> report(std::string_view id, report_kind kind) const;

    /// Writes the run's documents to the state directory; `report` is the model's report
    /// ("" when the run did not succeed). Blocking file I/O of a few KB; throws
    /// std::filesystem::filesystem_error.
    void finish(const core::run_document& run, std::string_view report);

private:
    run_artifacts artifacts_;
    std::map<std::string, std::unique_ptr<core::run_document>, std::less<>> runs_;
};

}  // namespace chimera::service
