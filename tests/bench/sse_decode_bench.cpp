// Decoding cost per streamed token on the OpenAI-compatible wire: vLLM's chat chunks as
// ollama-sim --engine vllm writes them, fed to the stream decoder one event per feed (one SSE
// event per token, as on the wire), and for comparison each chunk's data through the nlohmann
// document the decoder falls back to; with the heap allocations per token. Figures:
// docs/benchmarks.md.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "chimera/core/llm/openai_stream_decoder.hpp"
#include "openai_chunk_decode.hpp"

namespace {

using chimera::core::stream_event;

/// The data of each event: vLLM's chat chunk for one token.
std::vector<std::string> chunk_data() {
    const std::vector<std::string> tokens = {"The", " quick", " brown",          " fox",
                                             " é",  "\\n",    " \\\"quoted\\\"", " 速度"};
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < 1000; ++i) {
        chunks.push_back(R"({"id":"chatcmpl-8c1f2a7d9e3b4c5a","object":"chat.completion.chunk","created":1764961200,)"
                         R"("model":"gemma3:latest","choices":[{"index":0,"delta":{"content":")" +
                         tokens[i % tokens.size()] + R"("},"logprobs":null,"finish_reason":null}]})");
    }
    return chunks;
}

void decode_token_chunks(benchmark::State& state) {
    std::vector<std::string> events;
    for (const auto& data : chunk_data()) events.push_back("data: " + data + "\n\n");
    std::vector<stream_event> out;
    const auto allocations_before = chimera::bench::allocations();
    for (auto _ : state) {
        chimera::core::openai_stream_decoder decoder;
        for (const auto& event : events) {
            decoder.feed(event, out);
            out.clear();
        }
    }
    const auto allocations = chimera::bench::allocations() - allocations_before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
    state.counters["allocs_per_token"] =
        static_cast<double>(allocations) / static_cast<double>(state.iterations() * events.size());
}

void decode_token_chunks_with_dom(benchmark::State& state) {
    const auto chunks = chunk_data();
    std::vector<stream_event> out;
    chimera::core::generation_stats stats;
    for (auto _ : state) {
        for (const auto& data : chunks) {
            chimera::core::detail::decode_chunk_dom(data, stats, out);
            out.clear();
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * chunks.size()));
}

}  // namespace

BENCHMARK(decode_token_chunks);
BENCHMARK(decode_token_chunks_with_dom);

BENCHMARK_MAIN();
