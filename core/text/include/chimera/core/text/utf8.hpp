#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chimera::core::detail {

/// Offset of the first byte that does not start a well-formed UTF-8 sequence
/// (overlongs, surrogates and code points above U+10FFFF included), or nullopt.
[[nodiscard]] std::optional<std::size_t> find_invalid_utf8(std::string_view text);

/// The longest prefix of at most `max_bytes` that does not end inside a multi-byte character.
[[nodiscard]] std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

/// Number of code points, assuming well-formed input.
[[nodiscard]] std::size_t utf8_length(std::string_view text);

/// `text` with every ill-formed sequence replaced by U+FFFD, so that it can go
/// anywhere text is expected (Markdown, log lines, JSON without a replace handler).
[[nodiscard]] std::string sanitize_utf8(std::string_view text);

}  // namespace chimera::core::detail
