#include "chimera/store/state_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace chimera::service {

state_dir_lock::state_dir_lock(const std::filesystem::path& state_dir) {
    std::filesystem::create_directories(state_dir);
    const auto file = state_dir / "lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);  // NOLINT(cppcoreguidelines-pro-type-vararg)
    if (fd_ < 0) {
        throw std::filesystem::filesystem_error("cannot open the state directory's lock", file,
                                                std::error_code{errno, std::generic_category()});
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd_);
        if (error == EWOULDBLOCK) {
            throw std::runtime_error("another chimera process uses the state directory " + state_dir.string() +
                                     "; give each process its own --state-dir");
        }
        throw std::filesystem::filesystem_error("cannot lock the state directory", file,
                                                std::error_code{error, std::generic_category()});
    }
}

state_dir_lock::~state_dir_lock() { ::close(fd_); }

}  // namespace chimera::service
