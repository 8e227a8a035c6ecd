#include "chimera/core/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace chimera::core::detail {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

[[nodiscard]] bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

/// Length of the well-formed sequence at `pos`, or 0 when it is ill-formed.
/// The second-byte ranges follow Unicode table 3-7, which is what excludes
/// overlongs, surrogates and values above U+10FFFF.
[[nodiscard]] std::size_t sequence_length(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80U) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80U;
    unsigned char high = 0xBFU;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
        if (lead == 0xE0U) low = 0xA0U;
        if (lead == 0xEDU) high = 0x9FU;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
        if (lead == 0xF0U) low = 0x90U;
        if (lead == 0xF4U) high = 0x8FU;
    } else {
        return 0;
    }
    if (text.size() - pos < length) return 0;
    const auto second = static_cast<unsigned char>(text[pos + 1]);
    if (second < low || second > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (!is_continuation(static_cast<unsigned char>(text[pos + i]))) return 0;
    }
    return length;
}

/// Benchmark files are almost all ASCII: skip eight bytes at a time while none has the top bit set.
[[nodiscard]] std::size_t skip_ascii(std::string_view text, std::size_t pos) {
    constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
    while (text.size() - pos >= sizeof(std::uint64_t)) {
        std::uint64_t block = 0;
        std::memcpy(&block, text.data() + pos, sizeof block);
        if ((block & high_bits) != 0) break;
        pos += sizeof block;
    }
    return pos;
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        pos = skip_ascii(text, pos);
        if (pos == text.size()) break;
        const std::size_t length = sequence_length(text, pos);
        if (length == 0) return pos;
        pos += length;
    }
    return std::nullopt;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t end = max_bytes;
    while (end > 0 && is_continuation(static_cast<unsigned char>(text[end]))) --end;
    return text.substr(0, end);
}

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) {
        if (!is_continuation(static_cast<unsigned char>(c))) ++count;
    }
    return count;
}

std::string sanitize_utf8(std::string_view text) {
    const auto first_bad = find_invalid_utf8(text);
    if (!first_bad) return std::string(text);
    std::string out(text.substr(0, *first_bad));
    std::size_t pos = *first_bad;
    while (pos < text.size()) {
        const std::size_t length = sequence_length(text, pos);
        if (length == 0) {
            out += replacement_character;
            ++pos;
        } else {
            out.append(text, pos, length);
            pos += length;
        }
    }
    return out;
}

}  // namespace chimera::core::detail
