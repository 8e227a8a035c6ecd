// Fuzz target for the Ollama stream decoder: any bytes, split anywhere, must decode
// without crashing, splitting must not change what comes out, and the line fast
// path must never read a line differently from the nlohmann decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/llm/ndjson_stream_decoder.hpp"
#include "ndjson_line_decode.hpp"

namespace {

std::vector<chimera::core::stream_event> decode(std::string_view bytes, std::size_t split) {
    chimera::core::ndjson_stream_decoder decoder{std::size_t{1} << 16};
    std::vector<chimera::core::stream_event> events;
    decoder.feed(bytes.substr(0, split), events);
    decoder.feed(bytes.substr(split), events);
    decoder.finish(events);
    return events;
}

/// Tokens and final lines must match exactly; error and malformed lines only in kind,
/// since their messages may quote how far the decoder had read.
bool same(const chimera::core::stream_event& a, const chimera::core::stream_event& b) {
    const bool exact =
        std::holds_alternative<chimera::core::token_event>(a) || std::holds_alternative<chimera::core::done_event>(a);
    return exact ? a == b : a.index() == b.index();
}

bool fast_path_agrees(std::string_view line) {
    const auto fast = chimera::core::detail::scan_line(line);
    if (!fast) {
        return true;
    }
    const auto reference = chimera::core::detail::decode_line_dom(line);
    return (std::holds_alternative<chimera::core::token_event>(*fast) ||
            std::holds_alternative<chimera::core::done_event>(*fast)) &&
           same(*fast, reference);
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
    for (std::string_view rest = bytes; !rest.empty();) {
        const auto newline = rest.find('\n');
        if (!fast_path_agrees(rest.substr(0, newline))) {
            __builtin_trap();
        }
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    }
    return 0;
}
