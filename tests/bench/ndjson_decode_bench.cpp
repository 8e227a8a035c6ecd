// Decoding cost per streamed token: Ollama's token lines as ollama-sim writes them, fed to the
// stream decoder one line per feed (one chunk per token, as on the wire), and for comparison the
// same lines through the nlohmann document the decoder falls back to; with the heap allocations
// per token line. Figures: docs/benchmarks.md.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "chimera/core/ndjson_stream_decoder.hpp"
#include "ndjson_line_decode.hpp"

namespace {

using chimera::core::stream_event;

std::vector<std::string> token_lines() {
    const std::vector<std::string> tokens = {"The", " quick", " brown",          " fox",
                                             " é",  "\\n",    " \\\"quoted\\\"", " 速度"};
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < 1000; ++i) {
        lines.push_back(R"({"model":"gemma3:latest","created_at":"2026-11-27T20:00:00.123456789Z","response":")" +
                        tokens[i % tokens.size()] + R"(","done":false})" + "\n");
    }
    return lines;
}

void decode_token_lines(benchmark::State& state) {
    const auto lines = token_lines();
    std::vector<stream_event> events;
    const auto allocations_before = chimera::bench::allocations();
    for (auto _ : state) {
        chimera::core::ndjson_stream_decoder decoder;
        for (const auto& line : lines) {
            decoder.feed(line, events);
            events.clear();
        }
    }
    const auto allocations = chimera::bench::allocations() - allocations_before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
    state.counters["allocs_per_token"] =
        static_cast<double>(allocations) / static_cast<double>(state.iterations() * lines.size());
}

void decode_token_lines_with_dom(benchmark::State& state) {
    const auto lines = token_lines();
    for (auto _ : state) {
        for (const auto& line : lines) {
            benchmark::DoNotOptimize(chimera::core::detail::decode_line_dom({line.data(), line.size() - 1}));
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
}

}  // namespace

BENCHMARK(decode_token_lines);
BENCHMARK(decode_token_lines_with_dom);

BENCHMARK_MAIN();
