// Fuzz target for the OpenAI-compatible stream decoder (SSE framing and chunk decoding): any
// bytes, split anywhere, must decode without crashing, and splitting must not change what
// comes out.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chimera/core/llm/openai_stream_decoder.hpp"

namespace {

std::vector<chimera::core::stream_event> decode(std::string_view bytes, std::size_t split) {
    chimera::core::openai_stream_decoder decoder{std::size_t{1} << 16};
    std::vector<chimera::core::stream_event> events;
    decoder.feed(bytes.substr(0, split), events);
    decoder.feed(bytes.substr(split), events);
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    const auto whole = decode(bytes, size);
    for (const std::size_t split : {size / 2, size / 3, std::size_t{1}}) {
        if (split > size) continue;
        if (decode(bytes, split) != whole) __builtin_trap();
    }
    return 0;
}
