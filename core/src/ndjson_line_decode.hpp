#pragma once

#include <string>
#include <string_view>

#include "chimera/core/ndjson_stream_decoder.hpp"

namespace chimera::core::detail {

/// Decodes one complete, non-blank line through a full nlohmann document: the
/// reference for every line shape, final, error and malformed lines included.
[[nodiscard]] stream_event decode_line_dom(std::string_view line);

/// The fast path for the line the decoder sees thousands of times a call:
/// `{"model":…,"created_at":…,"response":"…","done":false}` in any key order.
///
/// Returns true, with the unescaped `response` in `text`, only when the line is a JSON
/// object that nlohmann would parse, whose members are strings, short integers,
/// booleans or null, with exactly one string `response`, exactly one `"done":false` and
/// no `error` key. Anything else (final and error lines, nested values, floats, escaped
/// keys, ill-formed text) returns false and the caller uses decode_line_dom, so the
/// fast path never decides a line differently from it.
[[nodiscard]] bool scan_token_line(std::string_view line, std::string& text);

}  // namespace chimera::core::detail
