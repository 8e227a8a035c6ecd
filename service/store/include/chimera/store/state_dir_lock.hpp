#pragma once

#include <filesystem>

namespace chimera::service {

/// An exclusive lock on a state directory for the life of the process. The embedded
/// store is for one process: a second `chimera serve` on the same directory refuses to
/// start instead of racing the first, and the holder knows every `running` run it finds
/// at start belongs to a process that died. The kernel drops the lock when the holder
/// dies, however it dies.
class state_dir_lock {
public:
    /// Creates the directory if needed; throws std::runtime_error when another
    /// process holds the lock, std::filesystem::filesystem_error when it can't be taken.
    explicit state_dir_lock(const std::filesystem::path& state_dir);
    ~state_dir_lock();
    state_dir_lock(const state_dir_lock&) = delete;
    state_dir_lock& operator=(const state_dir_lock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace chimera::service
