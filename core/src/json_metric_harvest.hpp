#pragma once

#include <string_view>

#include "file_scan.hpp"
#include "metric_sink.hpp"

namespace chimera::core::detail {

/// Parses a JSON benchmark file and harvests numeric leaves whose key is metric-named,
/// keyed by their dotted path ("results[0].tokens_s").
[[nodiscard]] file_scan scan_json(std::string_view text, metric_sink& sink);

}  // namespace chimera::core::detail
