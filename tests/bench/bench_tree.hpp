// Generated benchmark-file trees for the ingest benchmarks: small CSV, JSON and Markdown
// files shaped like the reference corpus (tests/data/tr109), one in a hundred broken, as
// real trees are. Generated once per process and removed at exit, or kept under
// $CHIMERA_BENCH_TREE (tests/bench/ingest_reference.py times the reference Python
// agents' method on the same files).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

namespace chimera::bench {

namespace fs = std::filesystem;

/// Files per leaf directory and leaf directories per top directory: 100,000 files make
/// 100 top directories x 10 x 100, the layout docs/benchmarks.md describes.
constexpr int files_per_dir = 100;
constexpr int dirs_per_top = 10;

inline std::string csv_file(std::mt19937& random, int rows = 8) {
    std::uniform_real_distribution<double> ttft(0.05, 8.0);
    std::uniform_real_distribution<double> rate(20.0, 300.0);
    std::string text = "model,\"notes, free text\",ttft_s,tokens_s\n";
    for (int row = 0; row < rows; ++row) {
        text += "gemma3:" + std::to_string(row) + "b,\"run " + std::to_string(row) + ", \"\"warm\"\"\"," +
                std::to_string(ttft(random)) + "," + std::to_string(rate(random)) + "\n";
    }
    return text;
}

inline std::string json_file(std::mt19937& random, int runs = 5) {
    std::uniform_real_distribution<double> ttft(0.05, 8.0);
    std::uniform_real_distribution<double> rate(20.0, 300.0);
    std::string text = R"({"model":"gemma3:latest","config":{"num_ctx":1024,"temperature":0.6},"results":[)";
    for (int run = 0; run < runs; ++run) {
        text += (run == 0 ? "" : ",");
        text += R"({"run":)" + std::to_string(run) + R"(,"ttft_ms":)" + std::to_string(ttft(random) * 1000) +
                R"(,"tokens_per_second":)" + std::to_string(rate(random)) + R"(,"ok":true})";
    }
    return text + R"(],"summary":{"mean_latency_ms":412.5,"notes":"synthetic"}})";
}

inline std::string markdown_file(int index, int sections = 1) {
    std::string text = "# Benchmark report " + std::to_string(index) + "\n";
    for (int section = 0; section < sections; ++section) {
        text +=
            "\nSome prose about the run.\n\n## Results\n\n| model | tok/s | ttft (ms) |\n|---|---:|---:|\n"
            "| gemma3 | 101.2 | 603 |\n| llama3 | 88.0 | 710 |\n\n```bash\n# not a heading\nollama run gemma3\n```\n"
            "\n### Notes\n\n- warm cache\n";
    }
    return text;
}

/// 40 % CSV, 40 % JSON, 20 % Markdown; one file in a hundred is broken (truncated JSON, Latin-1 CSV).
inline std::string mixed_file(int index, std::mt19937& random, std::string& extension) {
    switch (index % 5) {
        case 0:
        case 1:
            extension = ".csv";
            return index % 100 == 1 ? std::string("name,ttft\ncaf\xe9,1\n") : csv_file(random);
        case 2:
        case 3:
            extension = ".json";
            return index % 100 == 2 ? std::string(R"({"ttft_ms": [1, 2)") : json_file(random);
        default:
            extension = ".md";
            return markdown_file(index);
    }
}

inline void write_file(const fs::path& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        throw std::runtime_error("cannot write " + path.string());
    }
    ::close(fd);
}

/// `files` mixed files in leaf directories of files_per_dir, plus a notes.txt per leaf (skipped).
inline void generate_mixed_tree(const fs::path& root, int files) {
    std::mt19937 random(42);
    for (int index = 0; index < files; ++index) {
        const int leaf = index / files_per_dir;
        const auto dir =
            root / ("run_" + std::to_string(leaf / dirs_per_top)) / ("config_" + std::to_string(leaf % dirs_per_top));
        if (index % files_per_dir == 0) {
            fs::create_directories(dir);
            write_file(dir / "notes.txt", "not a benchmark file\n");
        }
        std::string extension;
        const auto content = mixed_file(index, random, extension);
        write_file(dir / ("result_" + std::to_string(index % files_per_dir) + extension), content);
    }
}

/// A tree generated on first use under a name; removed at exit unless $CHIMERA_BENCH_TREE
/// is set, in which case it is kept (and reused) as $CHIMERA_BENCH_TREE/<name>.
class generated_tree {
public:
    template <typename Generate>
    generated_tree(const std::string& name, Generate generate) {
        const char* kept = std::getenv("CHIMERA_BENCH_TREE");
        keep_ = kept != nullptr && *kept != '\0';
        root_ = keep_ ? fs::path(kept) / name
                      : fs::temp_directory_path() / ("chimera_bench_" + std::to_string(::getpid())) / name;
        const auto marker = root_ / ".chimera_bench_tree_complete";
        if (!fs::exists(marker)) {
            fs::remove_all(root_);
            fs::create_directories(root_);
            generate(root_);
            write_file(marker, "");
        }
    }
    ~generated_tree() {
        std::error_code ignored;
        if (!keep_) fs::remove_all(root_.parent_path(), ignored);
    }
    generated_tree(const generated_tree&) = delete;
    generated_tree& operator=(const generated_tree&) = delete;

    [[nodiscard]] const fs::path& root() const { return root_; }

private:
    fs::path root_;
    bool keep_ = false;
};

}  // namespace chimera::bench
