#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chimera/core/ingest/confined_directory.hpp"

namespace chimera::service {

/// Why a data_dir was refused, with the HTTP status it maps to (400 or 403).
struct data_dir_refusal {
    unsigned status = 400;
    std::string detail;
};

/// The directory trees runs may read: one or more roots (--data-root, repeatable),
/// held open by descriptor. A run's `data_dir` is a relative path, tried beneath each
/// root in order: the first root that holds it decides, so a data_dir that escapes
/// its root is refused even if a later root would hold the same name.
/// Immutable once built: used from the io thread and the blocking pool at once.
class data_root {
public:
    /// Opens every root (the operator's paths: links in them are followed); throws
    /// std::filesystem::filesystem_error when one is not a directory that can be opened.
    explicit data_root(const std::vector<std::filesystem::path>& roots);

    /// The canonical path of the directory `data_dir` names beneath the first root that
    /// holds it, or the refusal: 400 for an absolute path, a missing directory or a file;
    /// 403 for `..`, and for links leading outside the root (absolute links included),
    /// /proc magic links, link loops, as resolved by the kernel (openat2 RESOLVE_BENEATH).
    [[nodiscard]] std::variant<std::filesystem::path, data_dir_refusal> resolve(std::string_view data_dir) const;

    /// Opens a path that `resolve` returned, beneath its root again: whatever changed on
    /// disk since (a directory swapped for a link), the run reads nothing outside.
    /// Throws std::filesystem::filesystem_error when that is no longer possible.
    [[nodiscard]] core::confined_directory open(const std::filesystem::path& resolved) const;

    [[nodiscard]] std::vector<std::filesystem::path> paths() const;

private:
    struct opened_root {
        std::filesystem::path path;  ///< canonical
        core::confined_directory dir;
    };

    std::vector<opened_root> roots_;
};

}  // namespace chimera::service
