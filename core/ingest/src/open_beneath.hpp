#pragma once

#include <string_view>

#include "chimera/core/ingest/unique_fd.hpp"

namespace chimera::core::detail {

/// The two ways confined_directory::open_beneath resolves `relative` beneath `top_fd`,
/// exposed so that tests exercise the fallback on kernels that have openat2.
/// Both return the open directory, or -errno (-EINVAL for a path holding a NUL byte).

/// openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS; -ENOSYS where the kernel lacks it.
[[nodiscard]] int open_beneath_openat2(int top_fd, std::string_view relative);

/// One openat(O_NOFOLLOW | O_DIRECTORY) per component: no link is followed, and
/// absolute paths and `..` are refused up front (-EXDEV), as the kernel would for an escape.
[[nodiscard]] int open_beneath_by_components(int top_fd, std::string_view relative);

}  // namespace chimera::core::detail
