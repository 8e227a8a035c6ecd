#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

namespace chimera::service {

/// Why a data_dir was refused, with the HTTP status it maps to (400 or 403).
struct data_dir_refusal {
    unsigned status = 400;
    std::string detail;
};

/// The directory tree runs may read. A run's `data_dir` is a relative path that
/// must stay beneath it once symlinks are resolved.
class data_root {
public:
    explicit data_root(const std::filesystem::path& root);

    [[nodiscard]] std::variant<std::filesystem::path, data_dir_refusal> resolve(std::string_view data_dir) const;

    [[nodiscard]] const std::filesystem::path& path() const { return root_; }

private:
    std::filesystem::path root_;
};

}  // namespace chimera::service
