// Faults the simulator injects into /api/generate streams, chosen by flag or per request.
#pragma once

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
};

// Parses the X-Sim-Fault header: comma-separated `midstream-error-after=N`, `truncate-after=N`,
// `split-writes`, or just `none`. Returns nullopt when the spec is malformed.
std::optional<fault_plan> parse_fault_spec(std::string_view spec);

// Parses a non-negative decimal integer, the whole string or nothing.
std::optional<std::uint64_t> parse_count(std::string_view text);

}  // namespace sim
