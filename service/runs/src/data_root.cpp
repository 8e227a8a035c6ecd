#include "chimera/runs/data_root.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

namespace chimera::service {
namespace fs = std::filesystem;

namespace {

/// `data_dir` without "." and empty components; nullopt when it holds "..".
[[nodiscard]] std::optional<fs::path> clean_relative(const fs::path& data_dir) {
    fs::path clean;
    for (const auto& part : data_dir) {
        if (part == "..") return std::nullopt;
        if (!part.empty() && part != ".") clean /= part;
    }
    return clean;
}

/// The path the kernel reached, read back from the descriptor; `fallback` if /proc is missing.
[[nodiscard]] fs::path path_of(const core::confined_directory& dir, fs::path fallback) {
    std::array<char, 4096> buffer{};
    const auto link = "/proc/self/fd/" + std::to_string(dir.fd());
    const auto length = ::readlink(link.c_str(), buffer.data(), buffer.size());
    if (length <= 0 || static_cast<std::size_t>(length) == buffer.size()) return fallback;
    return fs::path(std::string(buffer.data(), static_cast<std::size_t>(length)));
}

[[nodiscard]] data_dir_refusal refusal(std::string_view data_dir, const std::error_code& error) {
    const std::string quoted = "data_dir '" + std::string{data_dir} + "'";
    switch (error.value()) {
        case EXDEV:
            return {403, quoted + " leads outside the data root"};
        case ELOOP:
            return {403, quoted + " goes through a link that is not followed (a /proc magic link or a loop)"};
        case ENOTDIR:
            return {400, quoted + " is not a directory"};
        default:
            return {400, quoted + " can't be opened: " + error.message()};
    }
}

}  // namespace

data_root::data_root(const std::vector<fs::path>& roots) {
    for (const auto& path : roots) roots_.push_back({fs::canonical(path), core::confined_directory::open(path)});
}

std::variant<fs::path, data_dir_refusal> data_root::resolve(std::string_view data_dir) const {
    const fs::path relative{data_dir};
    if (relative.is_absolute() || data_dir.find('\0') != std::string_view::npos) {
        return data_dir_refusal{400, "data_dir must be relative to the server's data root, not absolute"};
    }
    const auto clean = clean_relative(relative);
    if (!clean) return data_dir_refusal{403, "data_dir may not contain '..'"};
    for (const auto& root : roots_) {
        auto opened = root.dir.open_beneath(clean->native());
        if (const auto* dir = std::get_if<core::confined_directory>(&opened)) {
            return path_of(*dir, root.path / *clean);
        }
        const auto error = std::get<std::error_code>(opened);
        if (error.value() != ENOENT) return refusal(data_dir, error);
    }
    return data_dir_refusal{400, "data_dir '" + std::string{data_dir} + "' does not exist under the data root"};
}

core::confined_directory data_root::open(const fs::path& resolved) const {
    // The deepest root holding the path: with nested roots, the most confining one.
    const opened_root* owner = nullptr;
    fs::path relative;
    for (const auto& root : roots_) {
        auto candidate = resolved.lexically_relative(root.path);
        const bool beneath = !candidate.empty() && *candidate.begin() != "..";
        if (beneath && (owner == nullptr || root.path.native().size() > owner->path.native().size())) {
            owner = &root;
            relative = std::move(candidate);
        }
    }
    if (owner == nullptr) {
        throw fs::filesystem_error("the data directory is beneath no data root", resolved,
                                   std::make_error_code(std::errc::cross_device_link));
    }
    auto opened = owner->dir.open_beneath(relative.native());
    if (auto* dir = std::get_if<core::confined_directory>(&opened)) return std::move(*dir);
    throw fs::filesystem_error("cannot open the data directory", resolved, std::get<std::error_code>(opened));
}

std::vector<fs::path> data_root::paths() const {
    std::vector<fs::path> paths;
    for (const auto& root : roots_) paths.push_back(root.path);
    return paths;
}

}  // namespace chimera::service
