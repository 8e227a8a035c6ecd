// Fuzz target for the Ollama stream decoder: any bytes, split anywhere, must decode
// without crashing, splitting must not change what comes out, and the fast path for token
// and final lines must never read a line differently from the nlohmann decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/ndjson_stream_decoder.hpp"
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

bool same_final(const chimera::core::done_event& a, const chimera::core::done_event& b) {
    return a.response == b.response && a.stats.done_reason == b.stats.done_reason &&
           a.stats.total_duration_ns == b.stats.total_duration_ns &&
           a.stats.load_duration_ns == b.stats.load_duration_ns &&
           a.stats.prompt_eval_count == b.stats.prompt_eval_count &&
           a.stats.prompt_eval_duration_ns == b.stats.prompt_eval_duration_ns &&
           a.stats.eval_count == b.stats.eval_count && a.stats.eval_duration_ns == b.stats.eval_duration_ns;
}

bool fast_path_agrees(std::string_view line) {
    std::string text;
    if (chimera::core::detail::scan_token_line(line, text)) {
        const auto reference = chimera::core::detail::decode_line_dom(line);
        const auto* token = std::get_if<chimera::core::token_event>(&reference);
        return token != nullptr && token->text == text;
    }
    chimera::core::done_event done;
    if (chimera::core::detail::scan_final_line(line, done)) {
        const auto reference = chimera::core::detail::decode_line_dom(line);
        const auto* expected = std::get_if<chimera::core::done_event>(&reference);
        return expected != nullptr && same_final(*expected, done);
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
    for (std::string_view rest = bytes; !rest.empty();) {
        const auto newline = rest.find('\n');
        if (!fast_path_agrees(rest.substr(0, newline))) {
            __builtin_trap();
        }
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    }
    return 0;
}
