#pragma once

#include <string_view>
#include <vector>

#include "chimera/core/llm/generation_stats.hpp"
#include "chimera/core/llm/ndjson_stream_decoder.hpp"

namespace chimera::core::detail {

/// Decodes the data of one OpenAI-compatible stream event (not `[DONE]`, not an `error`
/// event) through a full nlohmann document: the reference for every chunk shape. Appends the
/// token, error or malformed event it holds, if any, and keeps in `stats` what it says of the
/// stream's end (finish_reason, usage, llama.cpp's timings).
void decode_chunk_dom(std::string_view data, generation_stats& stats, std::vector<stream_event>& out);

/// The fast path for the chunks a stream is made of, one per token:
/// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[{"index":0,
/// "delta":{"content":"…"},"finish_reason":null}]}` (or `"text":"…"` for completions), keys in
/// any order. Takes the chunk only when it is a JSON object that nlohmann would parse, with one
/// `choices` array whose first item is an object, `delta` an object, `content`, `text` and
/// `finish_reason` strings or null, `usage` absent or null, no `error` or `timings`, each of
/// these at most once, and every other member made of strings, short integers, literals,
/// arrays and objects (no fractions or exponents). Then it does what decode_chunk_dom would
/// and returns true; otherwise it changes nothing and returns false, and the caller uses
/// decode_chunk_dom: the usage and timings chunks, errors and anything unusual go there.
[[nodiscard]] bool scan_chunk(std::string_view data, generation_stats& stats, std::vector<stream_event>& out);

}  // namespace chimera::core::detail
