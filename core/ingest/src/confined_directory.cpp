#include "chimera/core/ingest/confined_directory.hpp"

#include <fcntl.h>

#include <atomic>
#include <cerrno>

#include "open_beneath.hpp"

namespace chimera::core {
namespace {

/// Set once openat2 answered ENOSYS: the fallback is then used without asking again.
std::atomic<bool> openat2_missing{false};

[[nodiscard]] int open_beneath_fd(int top_fd, std::string_view relative) {
    if (!openat2_missing.load(std::memory_order_relaxed)) {
        const int fd = detail::open_beneath_openat2(top_fd, relative);
        if (fd != -ENOSYS) return fd;
        openat2_missing.store(true, std::memory_order_relaxed);
    }
    return detail::open_beneath_by_components(top_fd, relative);
}

}  // namespace

confined_directory confined_directory::open(const std::filesystem::path& path) {
    unique_fd fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!fd) {
        throw std::filesystem::filesystem_error("cannot open the directory", path,
                                                std::error_code(errno, std::generic_category()));
    }
    return confined_directory{std::move(fd)};
}

std::variant<confined_directory, std::error_code> confined_directory::open_beneath(std::string_view relative) const {
    const int fd = open_beneath_fd(fd_.get(), relative);
    if (fd < 0) return std::error_code(-fd, std::generic_category());
    return confined_directory{unique_fd{fd}};
}

}  // namespace chimera::core
