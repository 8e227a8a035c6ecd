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

/// The fast path for the final line, `done:true` with the stats and a `context` of one id
/// per prompt and generated token: read through a document, that array cost as much as
/// all the token lines of the call. Returns true, with the event in `out`, only when the
/// line is a JSON object that nlohmann would parse, with exactly one `"done":true`, the
/// stats as short integers, `done_reason` and `response` strings, `context` an array of
/// short integers, none of these keys twice, no `error` key, and any other member a
/// string, short integer, boolean or null. Anything else returns false (`out` then holds
/// no meaning) and the caller uses decode_line_dom.
[[nodiscard]] bool scan_final_line(std::string_view line, done_event& out);

}  // namespace chimera::core::detail
