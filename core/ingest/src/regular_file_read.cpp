#include "regular_file_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "chimera/core/ingest/unique_fd.hpp"

namespace chimera::core::detail {
namespace {

[[nodiscard]] std::string errno_text(int error) { return std::generic_category().message(error); }

/// Reads until `out` is full or the file ends; the number of bytes read, or -errno.
[[nodiscard]] long read_fully(int fd, std::string& out) {
    std::size_t total = 0;
    while (total < out.size()) {
        const auto n = ::read(fd, out.data() + total, out.size() - total);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) break;
        total += static_cast<std::size_t>(n);
    }
    return static_cast<long>(total);
}

}  // namespace

file_read read_regular_file(int dir_fd, const std::string& name, std::uint64_t max_bytes, std::string& out) {
    file_read result;
    const unique_fd fd{::openat(dir_fd, name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)};
    if (!fd) {
        result.error = "cannot open: " + errno_text(errno);
        return result;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        result.error = "cannot stat: " + errno_text(errno);
        return result;
    }
    if (!S_ISREG(st.st_mode)) {
        result.error = "not read: no longer a regular file";
        return result;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > max_bytes) {
        result.error = "file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(max_bytes);
        return result;
    }
    // One byte more than fstat said: reading it means the file grew while being read.
    out.resize(size + 1);
    const long read = read_fully(fd.get(), out);
    if (read < 0) {
        result.error = "read error: " + errno_text(static_cast<int>(-read));
        return result;
    }
    out.resize(static_cast<std::size_t>(read));
    result.bytes = out.size();
    if (out.size() != size) result.error = "file changed while being read";
    result.modified_unix = st.st_mtim.tv_sec;
    return result;
}

}  // namespace chimera::core::detail
