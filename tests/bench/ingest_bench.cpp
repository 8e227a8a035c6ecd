// Ingestion speed and memory: the reference corpus (101 files, warm) and generated trees of
// 10^2 to 10^5 mixed benchmark files, to show how the cost grows with the tree (per file and
// per MB at each size). Per-kind throughput is in ingest_kind_bench.cpp, the generated files
// in bench_tree.hpp. Results and commands: docs/benchmarks.md, section "Ingestion".
#include <fstream>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "bench_tree.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"

namespace {

namespace fs = std::filesystem;
using chimera::core::ingest_directory;
using chimera::core::ingest_limits;

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

/// The mixed tree of `files` files, generated on first use (kept as files_<n> under $CHIMERA_BENCH_TREE).
const fs::path& mixed_tree(int files) {
    static std::map<int, chimera::bench::generated_tree> trees;
    auto it = trees.find(files);
    if (it == trees.end()) {
        it = trees
                 .try_emplace(files, "files_" + std::to_string(files),
                              [files](const fs::path& root) { chimera::bench::generate_mixed_tree(root, files); })
                 .first;
    }
    return it->second.root();
}

/// Chimera's defaults stop at 10,000 files and 256 MB; the trees go beyond both.
ingest_limits tree_limits() {
    ingest_limits limits;
    limits.max_files = 1'000'000;
    limits.max_run_bytes = std::uint64_t{1} << 32;
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

/// state.range(0): files in the tree; state.range(1): worker threads as above. The counters
/// `files` and `bytes` are per ingestion, so per-file and per-MB costs follow from the time.
void ingest_tree(benchmark::State& state) {
    const auto files = static_cast<int>(state.range(0));
    const auto& root = mixed_tree(files);
    const auto threads = static_cast<std::size_t>(state.range(1));
    reset_peak_rss();
    const auto rss_before = peak_rss_bytes();
    std::size_t seen = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        const auto result = ingest_directory(root, tree_limits(), threads);
        seen = result.files + result.error_count;
        bytes = result.bytes;
        benchmark::DoNotOptimize(result.metrics.data());
    }
    if (seen != static_cast<std::size_t>(files)) state.SkipWithError("the tree did not ingest whole");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * seen));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["files"] = static_cast<double>(seen);
    state.counters["bytes"] = static_cast<double>(bytes);
    state.counters["peak_rss_MB"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
    state.counters["rss_before_MB"] = static_cast<double>(rss_before) / (1 << 20);
}

BENCHMARK(ingest_tr109)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ingest_tree)
    ->ArgNames({"files", "threads"})
    ->ArgsProduct({{100, 1000, 10'000}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// Generating the 10^5 tree takes seconds, ingesting it about one: three passes are enough.
BENCHMARK(ingest_tree)
    ->ArgNames({"files", "threads"})
    ->ArgsProduct({{100'000}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
