#pragma once

#include <cstddef>
#include <string_view>

#include "file_scan.hpp"
#include "metric_sink.hpp"

namespace chimera::core::detail {

/// Parses a JSON benchmark file as a stream of events (no document is built) and
/// harvests numeric leaves whose key is metric-named, keyed by their dotted path
/// ("results[0].tokens_s"); array elements inherit the key above them. A document
/// nested deeper than `max_depth` arrays/objects is an error, like a syntax error.
[[nodiscard]] file_scan scan_json(std::string_view text, std::size_t max_depth, metric_sink& sink);

}  // namespace chimera::core::detail
