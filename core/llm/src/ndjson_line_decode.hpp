#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chimera/core/llm/ndjson_stream_decoder.hpp"

namespace chimera::core::detail {

/// Decodes one complete, non-blank line through a full nlohmann document: the
/// reference for every line shape, final, error and malformed lines included.
[[nodiscard]] stream_event decode_line_dom(std::string_view line);

/// The fast path for the lines a stream is made of: thousands of token lines
/// `{"model":…,"created_at":…,"response":"…","done":false}` and one final line
/// `{…,"done":true,"done_reason":…,"context":[…],"total_duration":…,…}`, whose `context`
/// (an id per prompt and generated token) would cost more as a document than the
/// whole stream's token lines. Keys in any order.
///
/// Returns the event only when the line is a JSON object that nlohmann would parse,
/// whose members are strings, short integers, booleans, null or flat arrays of short
/// integers, with exactly one `done`, no `error` key, each member decode_line_dom reads
/// present at most once and of the type it expects (a string `response`, required when
/// `done` is false; a string `done_reason`; integer durations and counts). Anything
/// else (error lines, nested values, floats, escaped keys, ill-formed text) returns
/// nullopt and the caller uses decode_line_dom, so the fast path never decides a line
/// differently from it.
[[nodiscard]] std::optional<stream_event> scan_line(std::string_view line);

}  // namespace chimera::core::detail
