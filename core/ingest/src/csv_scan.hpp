#pragma once

#include <cstddef>
#include <string_view>

#include "file_scan.hpp"
#include "metric_sink.hpp"

namespace chimera::core::detail {

/// Counts the data rows of a CSV file (the first record is the header), notes rows
/// whose field count differs from the header's (kept, and named in a warning), and
/// harvests numeric cells of metric-named columns. A record longer than
/// `max_line_bytes` or a quote that never closes makes the whole file an error.
/// `text` must be valid UTF-8.
[[nodiscard]] file_scan scan_csv(std::string_view text, std::size_t max_line_bytes, metric_sink& sink);

}  // namespace chimera::core::detail
