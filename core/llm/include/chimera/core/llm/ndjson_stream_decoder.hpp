#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chimera/core/llm/generation_stats.hpp"

namespace chimera::core {

/// A piece of generated text (`response` of a `done:false` chunk). May be empty
/// (thinking-only chunks); TTFT is taken at the first non-empty one.
struct token_event {
    std::string text;
    bool operator==(const token_event&) const = default;
};

/// The final `done:true` object.
struct done_event {
    generation_stats stats;
    std::string response;  ///< non-empty only for `stream:false` bodies
    bool operator==(const done_event&) const = default;
};

/// An `{"error":"…"}` line, as Ollama writes after a mid-stream failure.
struct error_event {
    std::string message;
    bool operator==(const error_event&) const = default;
};

/// A line that is not a JSON object of the expected shape.
struct malformed_event {
    std::string detail;
    bool operator==(const malformed_event&) const = default;
};

using stream_event = std::variant<token_event, done_event, error_event, malformed_event>;

/// Incremental decoder for Ollama's NDJSON body: bytes in (split anywhere — across
/// lines, chunks or UTF-8 characters), events out. Not thread-safe; one per stream.
class ndjson_stream_decoder {
public:
    explicit ndjson_stream_decoder(std::size_t max_line_bytes = std::size_t{16} << 20);

    /// Appends the events completed by `bytes` to `out`. A line longer than the
    /// limit yields a malformed_event and is dropped.
    void feed(std::string_view bytes, std::vector<stream_event>& out);

    /// Flushes a final unterminated line (a body without trailing newline, as
    /// `stream:false` replies are). Call once at end of body.
    void finish(std::vector<stream_event>& out);

private:
    void decode_line(std::string_view line, std::vector<stream_event>& out) const;

    std::string partial_;
    std::size_t max_line_bytes_;
    bool overlong_ = false;
};

}  // namespace chimera::core
