#include "open_beneath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <linux/openat2.h>

namespace chimera::core::detail {
namespace {

constexpr int directory_flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

[[nodiscard]] int fd_or_errno(long result) { return result >= 0 ? static_cast<int>(result) : -errno; }

/// A NUL would silently cut the path short at the C boundary.
[[nodiscard]] bool has_nul(std::string_view path) { return path.find('\0') != std::string_view::npos; }

/// Opens one directory entry without following it; a link gives ELOOP (not the ENOTDIR that
/// O_DIRECTORY reports first), so callers can tell a refused link from a plain file.
[[nodiscard]] int open_component(int dir_fd, const std::string& name) {
    const int fd = ::openat(dir_fd, name.c_str(), directory_flags | O_NOFOLLOW);
    if (fd >= 0 || errno != ENOTDIR) return fd_or_errno(fd);
    struct stat st {};
    const bool is_link = ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
    return is_link ? -ELOOP : -ENOTDIR;
}

/// The next '/'-separated component of `rest`, consumed from it; empty ones are skipped.
[[nodiscard]] std::string_view next_component(std::string_view& rest) {
    while (rest.starts_with('/')) rest.remove_prefix(1);
    const auto slash = rest.find('/');
    const auto component = rest.substr(0, slash);
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash);
    return component;
}

}  // namespace

int open_beneath_openat2(int top_fd, std::string_view relative) {
    if (has_nul(relative)) return -EINVAL;
    const std::string path{relative.empty() ? "." : relative};
    open_how how{};
    how.flags = directory_flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return fd_or_errno(::syscall(SYS_openat2, top_fd, path.c_str(), &how, sizeof how));
}

int open_beneath_by_components(int top_fd, std::string_view relative) {
    if (has_nul(relative)) return -EINVAL;
    if (relative.starts_with('/')) return -EXDEV;
    unique_fd current{::fcntl(top_fd, F_DUPFD_CLOEXEC, 0)};
    if (!current) return -errno;
    std::string component;
    for (std::string_view rest = relative; !rest.empty();) {
        component = next_component(rest);
        if (component.empty() || component == ".") continue;
        if (component == "..") return -EXDEV;
        const int next = open_component(current.get(), component);
        if (next < 0) return next;
        current = unique_fd{next};
    }
    return current.release();
}

}  // namespace chimera::core::detail
