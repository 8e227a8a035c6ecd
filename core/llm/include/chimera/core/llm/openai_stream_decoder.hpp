#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "chimera/core/llm/generation_stats.hpp"
#include "chimera/core/llm/ndjson_stream_decoder.hpp"
#include "chimera/core/llm/sse_event_decoder.hpp"

namespace chimera::core {

/// Incremental decoder for the OpenAI-compatible streaming body of llama.cpp's `llama-server`,
/// vLLM and others (`POST /v1/chat/completions` or `/v1/completions` with `stream:true`): bytes
/// in, the same events as Ollama's decoder out, so one consumer measures both.
///
/// - A chunk's `choices[0].delta.content` (chat) or `choices[0].text` (completions) is a
///   token_event when it is a string. A role-only first chunk has none (llama.cpp: content
///   null) or an empty one (vLLM: ""), so it never counts as the first token.
/// - `data: [DONE]` is the done_event. Its stats: `finish_reason` as done_reason; from
///   `usage` (stream_options.include_usage) the prompt and completion tokens; from llama.cpp's
///   `timings` (milliseconds) the prompt and decode durations. Without `timings` the durations
///   stay 0, and the caller measures the decode time itself.
/// - `{"error":{…}}` in a data line (llama.cpp, vLLM) or an `error:` line (older llama.cpp) is
///   an error_event; a data line that is not such JSON is a malformed_event.
/// A body that ends without `[DONE]` yields no done_event: the caller calls it truncated.
class openai_stream_decoder {
public:
    explicit openai_stream_decoder(std::size_t max_event_bytes = std::size_t{16} << 20);

    void feed(std::string_view bytes, std::vector<stream_event>& out);

    /// The end of the body. An event without its closing blank line is dropped, as the format
    /// says, so nothing comes out; the signature is the NDJSON decoder's, so a caller ends both alike.
    void finish(std::vector<stream_event>& out);

private:
    void decode(const sse_event& event, std::vector<stream_event>& out);

    sse_event_decoder sse_;
    std::vector<sse_event> events_;
    generation_stats stats_;
};

}  // namespace chimera::core
