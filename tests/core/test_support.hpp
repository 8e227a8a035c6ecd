#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace chimera::core::test {

inline std::filesystem::path data_dir() { return CHIMERA_TEST_DATA_DIR; }

/// The wire contract (schemas and example payloads) in proto-free-api/.
inline std::filesystem::path api_dir() { return CHIMERA_API_DIR; }

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
public:
    temp_dir() : path_(std::filesystem::temp_directory_path() / ("chimera_core_test_" + random_suffix())) {
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    /// Writes `content` to `relative` (creating parent directories) and returns the full path.
    std::filesystem::path write(const std::string& relative, std::string_view content) const {
        const auto file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

private:
    static std::string random_suffix() {
        std::random_device device;
        return std::to_string(device()) + "_" + std::to_string(device());
    }

    std::filesystem::path path_;
};

}  // namespace chimera::core::test
