#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>
#include <variant>

#include "chimera/core/ingest/unique_fd.hpp"

namespace chimera::core {

/// An open directory that reads are confined beneath. It is held by descriptor, so
/// renaming or replacing its path afterwards changes nothing, and everything opened
/// through it is resolved by the kernel relative to it.
class confined_directory {
public:
    /// Opens `path` itself, following any link in it: it comes from the operator
    /// (a --data-root or --data-dir flag), not from a caller.
    /// Throws std::filesystem::filesystem_error when it can't be opened as a directory.
    [[nodiscard]] static confined_directory open(const std::filesystem::path& path);

    /// Opens the directory `relative` beneath this one with openat2(RESOLVE_BENEATH |
    /// RESOLVE_NO_MAGICLINKS): absolute paths, `..` above the top, links that lead out
    /// and /proc magic links all fail in the kernel. Links that stay beneath are followed.
    /// Where openat2 is missing (ENOSYS: Linux < 5.6 or a seccomp filter) it walks the
    /// components with O_NOFOLLOW instead, and then refuses every link and every `..`.
    /// Errors: EXDEV for an escape, ELOOP for a link refused, ENOENT, ENOTDIR, EACCES...
    [[nodiscard]] std::variant<confined_directory, std::error_code> open_beneath(std::string_view relative) const;

    [[nodiscard]] int fd() const { return fd_.get(); }

private:
    explicit confined_directory(unique_fd fd) : fd_(std::move(fd)) {}

    unique_fd fd_;
};

}  // namespace chimera::core
