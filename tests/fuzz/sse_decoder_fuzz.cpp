// Fuzz target for the OpenAI-compatible stream decoder (SSE framing and chunk decoding): any
// bytes, split anywhere, must decode without crashing, splitting must not change what
// comes out, and the chunk fast path must never read a chunk differently from the nlohmann
// decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chimera/core/llm/openai_stream_decoder.hpp"
#include "chimera/core/llm/sse_event_decoder.hpp"
#include "openai_chunk_decode.hpp"

namespace {

std::vector<chimera::core::stream_event> decode(std::string_view bytes, std::size_t split) {
    chimera::core::openai_stream_decoder decoder{std::size_t{1} << 16};
    std::vector<chimera::core::stream_event> events;
    decoder.feed(bytes.substr(0, split), events);
    decoder.feed(bytes.substr(split), events);
    return events;
}

bool fast_path_agrees(std::string_view data) {
    chimera::core::generation_stats fast_stats;
    std::vector<chimera::core::stream_event> fast;
    if (!chimera::core::detail::scan_chunk(data, fast_stats, fast)) {
        return fast.empty() && fast_stats == chimera::core::generation_stats{};
    }
    chimera::core::generation_stats reference_stats;
    std::vector<chimera::core::stream_event> reference;
    chimera::core::detail::decode_chunk_dom(data, reference_stats, reference);
    return fast == reference && fast_stats == reference_stats;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    const auto whole = decode(bytes, size);
    for (const std::size_t split : {size / 2, size / 3, std::size_t{1}}) {
        if (split > size) continue;
        if (decode(bytes, split) != whole) __builtin_trap();
    }
    chimera::core::sse_event_decoder framing{std::size_t{1} << 16};
    std::vector<chimera::core::sse_event> events;
    framing.feed(bytes, events);
    for (const auto& event : events) {
        if (!fast_path_agrees(event.data)) __builtin_trap();
    }
    // The whole input as one event's data, so that the fuzzer's JSON need no SSE framing.
    if (!fast_path_agrees(bytes)) __builtin_trap();
    return 0;
}
