#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace chimera::service {

// Flag values as the command line writes them, parsed with an error naming the flag
// (std::invalid_argument), and written back for --help.

/// A whole number from `min` to `max`.
[[nodiscard]] std::uint64_t parse_count_value(std::string_view flag,
                                              const std::string& text,
                                              std::uint64_t min,
                                              std::uint64_t max);

/// "250ms", "30s", "10m", "1h" (a bare number means seconds); never zero.
[[nodiscard]] std::chrono::milliseconds parse_duration_value(std::string_view flag, const std::string& text);

/// "4096", "64K", "16M", "1G" (also "16MiB"): binary multiples, from 1 byte to `max`.
[[nodiscard]] std::uint64_t parse_byte_value(std::string_view flag, const std::string& text, std::uint64_t max);

/// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks the kernel for a free port (tests, scripts).
[[nodiscard]] std::pair<std::string, std::uint16_t> parse_listen_value(std::string_view flag, const std::string& text);

/// The largest unit that writes `duration` whole: "10m", "30s", "250ms".
[[nodiscard]] std::string shown_duration(std::chrono::milliseconds duration);

/// The largest binary unit that writes `bytes` whole: "16M", "64K", "4097".
[[nodiscard]] std::string shown_bytes(std::uint64_t bytes);

}  // namespace chimera::service
