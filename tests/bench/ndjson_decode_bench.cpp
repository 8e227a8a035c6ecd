// Decoding cost per streamed token: Ollama's token lines as ollama-sim writes them, fed to the
// stream decoder one line per feed (one chunk per token, as on the wire), and for comparison the
// same lines through the nlohmann document the decoder falls back to; with the heap allocations
// per token line. The same for the final line with its `context` of 1,500 ids.
// Figures: docs/benchmarks.md.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "chimera/core/llm/ndjson_stream_decoder.hpp"
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

/// The final line of a 1,000-token call on a 500-token prompt, as ollama-sim writes it.
std::string final_line() {
    std::string line =
        R"({"model":"gemma3:latest","created_at":"2026-11-27T20:00:01.123456789Z","response":"","done":true,)"
        R"("done_reason":"stop","context":[)";
    for (std::size_t i = 0; i < 1500; ++i) {
        if (i > 0) line += ',';
        line += std::to_string(1000 + (i * 7919) % 250000);
    }
    return line +
           R"(],"total_duration":2512345678,"load_duration":12345678,"prompt_eval_count":500,)"
           R"("prompt_eval_duration":45678901,"eval_count":1000,"eval_duration":2450000000})" +
           "\n";
}

void decode_final_line(benchmark::State& state) {
    const auto line = final_line();
    std::vector<stream_event> events;
    for (auto _ : state) {
        chimera::core::ndjson_stream_decoder decoder;
        decoder.feed(line, events);
        if (events.size() != 1 || !std::holds_alternative<chimera::core::done_event>(events[0])) {
            state.SkipWithError("the final line did not decode");
        }
        events.clear();
    }
}

void decode_final_line_with_dom(benchmark::State& state) {
    const auto line = final_line();
    for (auto _ : state) {
        benchmark::DoNotOptimize(chimera::core::detail::decode_line_dom({line.data(), line.size() - 1}));
    }
}

}  // namespace

BENCHMARK(decode_token_lines);
BENCHMARK(decode_token_lines_with_dom);
BENCHMARK(decode_final_line)->Unit(benchmark::kMicrosecond);
BENCHMARK(decode_final_line_with_dom)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
