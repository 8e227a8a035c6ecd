// Faults the simulator injects into /api/generate, chosen by flag or per request.
//
// X-Sim-Fault item        flag(s)                              effect
// midstream-error-after=N --fault-midstream-error-after N      after N tokens, an {"error":…} line ends the body
// truncate-after=N        --fault-truncate-after N             after N tokens, close without the chunked terminator
// garbage-line-after=N    --fault-garbage-line-after N         after N tokens, a chunk `this is not json\n`, then
//                                                              the stream goes on normally
// split-writes            --fault-split-writes                 each NDJSON object goes out as two chunks
// split-every-byte        --fault-split-every-byte             each NDJSON object goes out as one chunk per byte
// status=S                --fault-status S                     answer HTTP status S (400..599) with an Ollama
//                                                              {"error":…} body instead of generating
// load-ms=MS              (--load-ms, cold loads only)         wait MS ms before the status line (stall before
//                                                              headers), on every request it applies to
// tokens-per-second=N     (--tokens-per-second)                decode rate of this request (slow trickle)
// stall-after=N:MS        --fault-stall-after N                after N tokens, pause MS ms, then go on normally;
//                         --fault-stall-ms MS                  a client that disconnects ends the pause (client
//                                                              idle timeouts)
// busy-first=K            --fault-busy-first K                 Ollama's full-queue 503 (client retries)
// reset-first=K           --fault-reset-first K                read the request, then RST with no response byte
//                                                              (retry when nothing of the response arrived)
//
// Per request, a model named `fault/<items>` (e.g. "fault/midstream-error-after=3") is known and
// selects <items> instead of the flags, for clients that can't send headers; X-Sim-Fault wins over it.
//
// busy-first and reset-first apply to the first K /api/generate requests since start or the last
// /sim/reset, counted globally like /sim/stats seq (seq < K). reset-first hits before validation;
// busy-first where Ollama queues, so a 400/404 or an unload request keeps its answer but uses its seq.
// POST /sim/drop-idle is the connection-level counterpart: it closes every idle keep-alive connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sim {

struct fault_plan {
    // Tokens streamed before the mid-stream `{"error":…}` line that ends the body cleanly.
    std::optional<std::uint64_t> midstream_error_after;
    // Tokens streamed before the socket is closed without the chunked terminator.
    std::optional<std::uint64_t> truncate_after;
    // Every NDJSON object goes out as two chunks split at a byte inside it.
    bool split_writes = false;
    // Every NDJSON object goes out as one chunk per byte.
    bool split_every_byte = false;
    // Tokens streamed before a non-JSON line; the stream then goes on.
    std::optional<std::uint64_t> garbage_line_after;
    // An HTTP error status answered instead of generating.
    std::optional<unsigned> status;
    // Extra wait before the status line, on every request (not only a cold load).
    std::optional<std::chrono::milliseconds> load_delay;
    // Decode rate of this request, overriding --tokens-per-second.
    std::optional<std::uint64_t> tokens_per_second;
    // Tokens streamed before a pause of stall_for; the stall needs both.
    std::optional<std::uint64_t> stall_after;
    std::optional<std::chrono::milliseconds> stall_for;
    // Requests with seq below these get the 503 of a full queue, or a reset connection.
    std::optional<std::uint64_t> busy_first;
    std::optional<std::uint64_t> reset_first;
};

// Long enough for any idle-timeout test, short enough for clock arithmetic never to overflow.
inline constexpr std::chrono::milliseconds max_stall = std::chrono::hours{24};

// The model-name prefix that selects faults per request.
inline constexpr std::string_view fault_model_prefix = "fault/";

// Parses the X-Sim-Fault header: comma-separated items of the table above, or just `none`.
// Returns nullopt when the spec is malformed.
std::optional<fault_plan> parse_fault_spec(std::string_view spec);

// Parses a non-negative decimal integer, the whole string or nothing.
std::optional<std::uint64_t> parse_count(std::string_view text);

// Parses an HTTP error status, 400 to 599.
std::optional<unsigned> parse_status(std::string_view text);

// Parses a stall duration in milliseconds, at most max_stall.
std::optional<std::chrono::milliseconds> parse_stall_ms(std::string_view text);

}  // namespace sim
