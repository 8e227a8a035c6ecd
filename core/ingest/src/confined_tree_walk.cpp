#include "confined_tree_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {
namespace {

struct dir_entry {
    std::string name;
    unsigned char type;  ///< DT_* of readdir
};

struct dir_closer {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

[[nodiscard]] std::string errno_text(int error) { return std::generic_category().message(error); }

/// DT_UNKNOWN (some filesystems don't fill d_type) resolved with an lstat-like fstatat.
[[nodiscard]] unsigned char entry_type(int dir_fd, const dir_entry& entry) {
    if (entry.type != DT_UNKNOWN) return entry.type;
    struct stat st {};
    if (::fstatat(dir_fd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
    return static_cast<unsigned char>(IFTODT(st.st_mode));
}

[[nodiscard]] const char* special_kind(unsigned char type) {
    switch (type) {
        case DT_LNK:
            return "a symbolic link (links are never followed)";
        case DT_FIFO:
            return "a FIFO (only regular files are read)";
        case DT_SOCK:
            return "a socket (only regular files are read)";
        case DT_CHR:
        case DT_BLK:
            return "a device (only regular files are read)";
        default:
            return "of an unknown type (only regular files are read)";
    }
}

class tree_walk {
public:
    tree_walk(const walk_options& options, tree_visitor& visitor) : options_(options), visitor_(visitor) {}

    /// False once the visitor asked to stop.
    bool walk(std::shared_ptr<const unique_fd> dir, const std::string& path, int depth) {
        int error = 0;
        const auto entries = list_sorted(dir->get(), error);
        if (error != 0) {
            return visitor_.on_skipped(path.empty() ? "." : path, "cannot list the directory: " + errno_text(error));
        }
        for (const auto& entry : entries) {
            if (!visit(dir, entry, path, depth)) return false;
        }
        return true;
    }

private:
    bool visit(const std::shared_ptr<const unique_fd>& dir,
               const dir_entry& entry,
               const std::string& parent,
               int depth) {
        // Paths are only ever shown (summary, errors, JSON), so a non-UTF-8 name is made printable once here.
        auto path = parent.empty() ? sanitize_utf8(entry.name) : parent + "/" + sanitize_utf8(entry.name);
        const unsigned char type = entry_type(dir->get(), entry);
        if (type == DT_DIR) return descend(*dir, entry.name, std::move(path), depth + 1);
        if (!options_.wanted(entry.name)) return true;
        if (type == DT_REG) return visitor_.on_file({dir, entry.name, std::move(path)});
        return visitor_.on_skipped(std::move(path), std::string("not read: ") + special_kind(type));
    }

    bool descend(const unique_fd& parent, const std::string& name, std::string path, int depth) {
        if (depth > options_.max_depth) {
            return visitor_.on_skipped(std::move(path), "not scanned: nested deeper than " +
                                                            std::to_string(options_.max_depth) + " directories");
        }
        // O_NOFOLLOW: had the directory been swapped for a link since it was listed, this fails with ELOOP.
        unique_fd child{::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
        if (!child) return visitor_.on_skipped(std::move(path), "cannot open the directory: " + errno_text(errno));
        return walk(std::make_shared<const unique_fd>(std::move(child)), path, depth);
    }

    /// The entries worth visiting, sorted by name so that scans (and the first files
    /// listed) are reproducible. Unwanted regular files are dropped while listing.
    [[nodiscard]] std::vector<dir_entry> list_sorted(int dir_fd, int& error) const {
        std::vector<dir_entry> entries;
        // A fresh open of "." rather than a dup: a dup would share (and exhaust) the read position.
        const int listing_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const std::unique_ptr<DIR, dir_closer> dir(listing_fd >= 0 ? ::fdopendir(listing_fd) : nullptr);
        if (!dir) {
            error = errno;
            if (listing_fd >= 0) ::close(listing_fd);
            return entries;
        }
        while (true) {
            errno = 0;
            const dirent* entry = ::readdir(dir.get());
            if (entry == nullptr) break;
            const std::string_view name = entry->d_name;
            if (name == "." || name == "..") continue;
            if (entry->d_type == DT_REG && !options_.wanted(name)) continue;
            entries.push_back({std::string(name), entry->d_type});
        }
        error = errno;
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return entries;
    }

    const walk_options& options_;
    tree_visitor& visitor_;
};

}  // namespace

void walk_confined_tree(int top_fd, const walk_options& options, tree_visitor& visitor) {
    unique_fd top{::fcntl(top_fd, F_DUPFD_CLOEXEC, 0)};
    if (!top) {
        visitor.on_skipped(".", "cannot open the directory: " + errno_text(errno));
        return;
    }
    tree_walk(options, visitor).walk(std::make_shared<const unique_fd>(std::move(top)), {}, 0);
}

}  // namespace chimera::core::detail
