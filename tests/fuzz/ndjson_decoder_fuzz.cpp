// Fuzz target for the Ollama stream decoder: any bytes, split anywhere, must decode
// without crashing, and splitting must not change what comes out.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chimera/core/ndjson_stream_decoder.hpp"

namespace {

std::vector<chimera::core::stream_event> decode(std::string_view bytes, std::size_t split) {
    chimera::core::ndjson_stream_decoder decoder{std::size_t{1} << 16};
    std::vector<chimera::core::stream_event> events;
    decoder.feed(bytes.substr(0, split), events);
    decoder.feed(bytes.substr(split), events);
    decoder.finish(events);
    return events;
}

bool same(const chimera::core::stream_event& a, const chimera::core::stream_event& b) {
    if (a.index() != b.index()) {
        return false;
    }
    if (const auto* token = std::get_if<chimera::core::token_event>(&a)) {
        return token->text == std::get<chimera::core::token_event>(b).text;
    }
    if (const auto* done = std::get_if<chimera::core::done_event>(&a)) {
        return done->stats.eval_count == std::get<chimera::core::done_event>(b).stats.eval_count;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes{reinterpret_cast<const char*>(data), size};
    const auto whole = decode(bytes, size);
    const auto halves = decode(bytes, size / 2);
    if (whole.size() != halves.size()) {
        __builtin_trap();
    }
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (!same(whole[i], halves[i])) {
            __builtin_trap();
        }
    }
    return 0;
}
