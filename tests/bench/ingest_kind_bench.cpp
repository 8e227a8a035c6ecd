// Ingest cost per MB of each kind of benchmark file on its own: a directory of 16 files of
// about 256 KiB of one kind (CSV with quoted fields, JSON result arrays, Markdown with tables
// and fenced code), ingested on one thread, so the figure is the parser's and not the
// per-file overhead the mixed trees of ingest_bench.cpp measure. Part of the ingest_bench binary.
#include <functional>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "bench_tree.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"

namespace {

namespace fs = std::filesystem;
using chimera::core::ingest_directory;

constexpr int kind_files = 16;

/// Each generator makes one file of about 256 KiB.
void generate_kind(const fs::path& root, const std::string& extension, const std::function<std::string(int)>& make) {
    for (int index = 0; index < kind_files; ++index) {
        chimera::bench::write_file(root / ("result_" + std::to_string(index) + extension), make(index));
    }
}

void ingest_kind(benchmark::State& state, const chimera::bench::generated_tree& tree) {
    std::uint64_t bytes = 0;
    std::size_t files = 0;
    for (auto _ : state) {
        const auto result = ingest_directory(tree.root(), {}, 1);
        bytes = result.bytes;
        files = result.files;
        benchmark::DoNotOptimize(result.metrics.data());
    }
    if (files != kind_files) state.SkipWithError("a generated file did not ingest");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["bytes"] = static_cast<double>(bytes);
}

void ingest_csv(benchmark::State& state) {
    static const chimera::bench::generated_tree tree{
        "kind_csv", [](const fs::path& root) {
            std::mt19937 random(7);
            generate_kind(root, ".csv", [&random](int) { return chimera::bench::csv_file(random, 4000); });
        }};
    ingest_kind(state, tree);
}

void ingest_json(benchmark::State& state) {
    static const chimera::bench::generated_tree tree{
        "kind_json", [](const fs::path& root) {
            std::mt19937 random(7);
            generate_kind(root, ".json", [&random](int) { return chimera::bench::json_file(random, 2600); });
        }};
    ingest_kind(state, tree);
}

void ingest_markdown(benchmark::State& state) {
    static const chimera::bench::generated_tree tree{
        "kind_markdown", [](const fs::path& root) {
            generate_kind(root, ".md", [](int index) { return chimera::bench::markdown_file(index, 1200); });
        }};
    ingest_kind(state, tree);
}

}  // namespace

BENCHMARK(ingest_csv)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ingest_json)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ingest_markdown)->Unit(benchmark::kMillisecond)->UseRealTime();
