#pragma once

#include <cstdint>
#include <string>

namespace chimera::core::detail {

struct file_read {
    std::string error;  ///< empty when the file was read whole
    std::uint64_t bytes = 0;
    std::int64_t modified_unix = 0;  ///< mtime, seconds
};

/// Reads the file `name` of the open directory `dir_fd` whole into `out` (reusing its
/// storage). Opened with O_NOFOLLOW (a link swapped in since the listing fails) and
/// O_NONBLOCK (a FIFO swapped in can't block), then checked with fstat to be a regular
/// file of at most `max_bytes` before a byte is read.
[[nodiscard]] file_read read_regular_file(int dir_fd,
                                          const std::string& name,
                                          std::uint64_t max_bytes,
                                          std::string& out);

}  // namespace chimera::core::detail
