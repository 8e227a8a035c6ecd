#include "data_root.hpp"

#include <algorithm>

namespace chimera::service {
namespace fs = std::filesystem;

data_root::data_root(const fs::path& root) : root_(fs::canonical(root)) {}

std::variant<fs::path, data_dir_refusal> data_root::resolve(std::string_view data_dir) const {
    const fs::path relative{data_dir};
    if (relative.is_absolute()) {
        return data_dir_refusal{400, "data_dir must be relative to the server's data root, not absolute"};
    }
    if (std::any_of(relative.begin(), relative.end(), [](const fs::path& part) { return part == ".."; })) {
        return data_dir_refusal{403, "data_dir may not contain '..'"};
    }
    std::error_code ec;
    const auto resolved = fs::canonical(root_ / relative, ec);
    if (ec) {
        return data_dir_refusal{400, "data_dir '" + std::string{data_dir} + "' does not exist under the data root"};
    }
    const auto [root_end, unused] = std::mismatch(root_.begin(), root_.end(), resolved.begin(), resolved.end());
    if (root_end != root_.end()) {
        return data_dir_refusal{403, "data_dir '" + std::string{data_dir} + "' leads outside the data root"};
    }
    if (!fs::is_directory(resolved, ec)) {
        return data_dir_refusal{400, "data_dir '" + std::string{data_dir} + "' is not a directory"};
    }
    return resolved;
}

}  // namespace chimera::service
