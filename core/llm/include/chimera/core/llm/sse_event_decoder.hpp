#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::core {

/// One Server-Sent Event: its type (`event:`; empty means "message") and its data, the
/// `data:` lines joined by line feeds.
struct sse_event {
    std::string type;
    std::string data;
    bool too_large = false;  ///< its data passed the limit and was dropped
    bool operator==(const sse_event&) const = default;
};

/// Incremental Server-Sent Events framing (the WHATWG event-stream format): bytes in, split
/// anywhere (within a line, between CR and LF, within a UTF-8 character), events out. Lines end
/// with LF, CRLF or CR; `:` lines are comments (keep-alive pings); `id` and `retry` are
/// ignored. One deviation: older llama.cpp servers reported a mid-stream failure as a
/// non-standard `error: {…}` line, which the format would drop; it becomes an event of type
/// "error" here, so that the failure is not mistaken for a stream that just stopped.
/// Not thread-safe; one per stream.
class sse_event_decoder {
public:
    explicit sse_event_decoder(std::size_t max_event_bytes = std::size_t{16} << 20);

    /// Appends the events that `bytes` completed to `out`.
    void feed(std::string_view bytes, std::vector<sse_event>& out);

    /// The end of the body: an event without its closing blank line is incomplete, and the
    /// format discards it; so does this.
    void finish();

private:
    void end_line(std::string_view tail, std::vector<sse_event>& out);
    void line(std::string_view text, std::vector<sse_event>& out);
    void field(std::string_view name, std::string_view value);
    void dispatch(std::vector<sse_event>& out);

    std::string partial_;    ///< a line not yet ended
    bool after_cr_ = false;  ///< the last byte was a CR: an LF right after it ends nothing
    bool skipping_ = false;  ///< within a line past the limit: dropped up to its end
    sse_event pending_;
    bool has_data_ = false;
    std::size_t max_event_bytes_;
};

}  // namespace chimera::core
