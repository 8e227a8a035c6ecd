// Ingestion speed and memory: the reference corpus (101 files, warm) and a generated tree of
// 100,000 mixed benchmark files. Results and commands: docs/benchmarks.md, section "Ingestion".
//
// The tree is generated into a temporary directory and removed at exit, or into
// $CHIMERA_BENCH_TREE when set, and kept there (tests/bench/ingest_reference.py times the
// reference Python agents' method on the same files).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "chimera/core/benchmark_ingest.hpp"

namespace {

namespace fs = std::filesystem;
using chimera::core::ingest_directory;
using chimera::core::ingest_limits;

constexpr int top_dirs = 100;
constexpr int sub_dirs = 10;
constexpr int files_per_dir = 100;  // 100 x 10 x 100 = 100,000 files
constexpr int tree_files = top_dirs * sub_dirs * files_per_dir;
constexpr std::string_view complete_marker = ".chimera_bench_tree_complete";

/// Peak resident set of this process (VmHWM), in bytes.
std::int64_t peak_rss_bytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    }
    return -1;
}

/// Restarts VmHWM from the current RSS, so the peak measured is the ingest's, not the generator's.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string csv_file(std::mt19937& random) {
    std::uniform_real_distribution<double> ttft(0.05, 8.0);
    std::uniform_real_distribution<double> rate(20.0, 300.0);
    std::string text = "model,\"notes, free text\",ttft_s,tokens_s\n";
    for (int row = 0; row < 8; ++row) {
        text += "gemma3:" + std::to_string(row) + "b,\"run " + std::to_string(row) + ", \"\"warm\"\"\"," +
                std::to_string(ttft(random)) + "," + std::to_string(rate(random)) + "\n";
    }
    return text;
}

std::string json_file(std::mt19937& random) {
    std::uniform_real_distribution<double> ttft(0.05, 8.0);
    std::uniform_real_distribution<double> rate(20.0, 300.0);
    std::string text = R"({"model":"gemma3:latest","config":{"num_ctx":1024,"temperature":0.6},"results":[)";
    for (int run = 0; run < 5; ++run) {
        text += (run == 0 ? "" : ",");
        text += R"({"run":)" + std::to_string(run) + R"(,"ttft_ms":)" + std::to_string(ttft(random) * 1000) +
                R"(,"tokens_per_second":)" + std::to_string(rate(random)) + R"(,"ok":true})";
    }
    return text + R"(],"summary":{"mean_latency_ms":412.5,"notes":"synthetic"}})";
}

std::string markdown_file(int index) {
    return "# Benchmark report " + std::to_string(index) +
           "\n\nSome prose about the run.\n\n## Results\n\n| model | tok/s | ttft (ms) |\n|---|---:|---:|\n"
           "| gemma3 | 101.2 | 603 |\n| llama3 | 88.0 | 710 |\n\n```bash\n# not a heading\nollama run gemma3\n```\n"
           "\n### Notes\n\n- warm cache\n";
}

/// One file in a hundred is broken (truncated JSON, Latin-1 CSV), as real trees are.
std::string file_content(int index, std::mt19937& random, std::string& extension) {
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

void write_file(const fs::path& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        throw std::runtime_error("cannot write " + path.string());
    }
    ::close(fd);
}

/// 100 top directories x 10 subdirectories x 100 files, plus a notes.txt per directory (skipped).
void generate_tree(const fs::path& root) {
    std::mt19937 random(42);
    int index = 0;
    for (int top = 0; top < top_dirs; ++top) {
        for (int sub = 0; sub < sub_dirs; ++sub) {
            const auto dir = root / ("run_" + std::to_string(top)) / ("config_" + std::to_string(sub));
            fs::create_directories(dir);
            write_file(dir / "notes.txt", "not a benchmark file\n");
            for (int file = 0; file < files_per_dir; ++file, ++index) {
                std::string extension;
                const auto content = file_content(index, random, extension);
                write_file(dir / ("result_" + std::to_string(file) + extension), content);
            }
        }
    }
    write_file(root / complete_marker, "");
}

/// The tree, generated on first use; removed at exit unless $CHIMERA_BENCH_TREE named it.
class bench_tree {
public:
    bench_tree() {
        const char* kept = std::getenv("CHIMERA_BENCH_TREE");
        keep_ = kept != nullptr && *kept != '\0';
        root_ =
            keep_ ? fs::path(kept) : fs::temp_directory_path() / ("chimera_ingest_bench_" + std::to_string(::getpid()));
        if (!fs::exists(root_ / complete_marker)) generate_tree(root_);
    }
    ~bench_tree() {
        std::error_code ignored;
        if (!keep_) fs::remove_all(root_, ignored);
    }
    bench_tree(const bench_tree&) = delete;
    bench_tree& operator=(const bench_tree&) = delete;

    [[nodiscard]] const fs::path& root() const { return root_; }

private:
    fs::path root_;
    bool keep_ = false;
};

const bench_tree& tree() {
    static const bench_tree instance;
    return instance;
}

ingest_limits tree_limits() {
    ingest_limits limits;
    limits.max_files = tree_files;
    limits.max_run_bytes = std::uint64_t{1} << 30;
    return limits;
}

/// state.range(0): worker threads, 0 for one per hardware thread (what the service uses).
void ingest_tr109(benchmark::State& state) {
    const fs::path corpus = CHIMERA_TEST_DATA_DIR "/tr109";
    const auto threads = static_cast<std::size_t>(state.range(0));
    std::size_t files = 0;
    for (auto _ : state) {
        const auto result = ingest_directory(corpus, {}, threads);
        files = result.files;
        benchmark::DoNotOptimize(result.metrics.data());
    }
    if (files != 101) state.SkipWithError("the corpus did not ingest as 101 files");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * files));
}

void ingest_tree_100k(benchmark::State& state) {
    const auto& root = tree().root();
    const auto threads = static_cast<std::size_t>(state.range(0));
    reset_peak_rss();
    const auto rss_before = peak_rss_bytes();
    std::size_t seen = 0;
    for (auto _ : state) {
        const auto result = ingest_directory(root, tree_limits(), threads);
        seen = result.files + result.error_count;
        benchmark::DoNotOptimize(result.metrics.data());
    }
    if (seen != tree_files) state.SkipWithError("the tree did not ingest as 100,000 files");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * seen));
    state.counters["peak_rss_MB"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
    state.counters["rss_before_MB"] = static_cast<double>(rss_before) / (1 << 20);
}

BENCHMARK(ingest_tr109)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ingest_tree_100k)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
