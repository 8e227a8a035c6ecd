// Decoding cost per streamed token: Ollama's token lines as ollama-sim writes them, fed to the
// stream decoder one line per feed (one chunk per token, as on the wire), and for comparison the
// same lines through the nlohmann document the decoder falls back to; the same for the final line of a
// 20,000-token generation, whose `context` array is most of its bytes. Figures: docs/benchmarks.md.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

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
    for (auto _ : state) {
        chimera::core::ndjson_stream_decoder decoder;
        for (const auto& line : lines) {
            decoder.feed(line, events);
            events.clear();
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
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

/// The last line of a 20,000-token generation: its `context` holds an id per prompt and
/// generated token, as Ollama's does.
std::string final_line() {
    std::string line = R"({"model":"gemma3:latest","created_at":"2026-11-27T20:00:00.123456789Z","response":"",)"
                       R"("done":true,"done_reason":"stop","context":[)";
    for (std::size_t i = 0; i < 20000; ++i) {
        if (i > 0) line += ',';
        line += std::to_string(100000 + i * 7919 % 150000);
    }
    return line + R"(],"total_duration":6233295,"load_duration":590380,"prompt_eval_count":1,)"
                  R"("prompt_eval_duration":597437,"eval_count":20000,"eval_duration":1000000000})";
}

void decode_final_line(benchmark::State& state) {
    const auto line = final_line() + "\n";
    std::vector<stream_event> events;
    for (auto _ : state) {
        chimera::core::ndjson_stream_decoder decoder;
        decoder.feed(line, events);
        events.clear();
    }
}

void decode_final_line_with_dom(benchmark::State& state) {
    const auto line = final_line();
    for (auto _ : state) {
        benchmark::DoNotOptimize(chimera::core::detail::decode_line_dom(line));
    }
}

}  // namespace

BENCHMARK(decode_token_lines);
BENCHMARK(decode_token_lines_with_dom);
BENCHMARK(decode_final_line);
BENCHMARK(decode_final_line_with_dom);

BENCHMARK_MAIN();
