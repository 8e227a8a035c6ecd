#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "chimera/core/ingest/unique_fd.hpp"

namespace chimera::core::detail {

/// A regular file found by the walk. Its directory stays open for as long as an
/// entry refers to it, so the file is opened by name relative to that descriptor.
struct tree_file {
    std::shared_ptr<const unique_fd> dir;
    std::string name;  ///< as on disk, no '/'
    std::string path;  ///< relative to the top, '/'-separated, made valid UTF-8 for display
};

/// What the walk reports, in scan order (depth first, entries sorted by name).
class tree_visitor {
public:
    virtual ~tree_visitor() = default;
    /// A regular file whose name was wanted; false stops the walk.
    virtual bool on_file(tree_file file) = 0;
    /// An entry that is not read (a link, FIFO, socket, device, or a directory that
    /// can't be opened or is too deep) and why; false stops the walk.
    virtual bool on_skipped(std::string path, std::string reason) = 0;
};

struct walk_options {
    int max_depth = 32;                            ///< directories below the top; deeper ones are skipped
    std::function<bool(std::string_view)> wanted;  ///< file names to report; others are passed over silently
};

/// Walks the tree under the open directory `top_fd` by descriptor: every directory is
/// opened with openat(O_DIRECTORY | O_NOFOLLOW) relative to its parent, so no link is
/// ever followed and nothing outside the top can be reached. Links, FIFOs, sockets and
/// devices are never opened; those with a wanted name are reported as skipped.
/// Blocking: it reads directories.
void walk_confined_tree(int top_fd, const walk_options& options, tree_visitor& visitor);

}  // namespace chimera::core::detail
