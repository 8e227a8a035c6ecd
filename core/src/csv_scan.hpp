#pragma once

#include <string_view>

#include "file_scan.hpp"
#include "metric_sink.hpp"

namespace chimera::core::detail {

/// Counts the data rows of a CSV file (the first record is the header) and harvests
/// numeric cells of metric-named columns.
[[nodiscard]] file_scan scan_csv(std::string_view text, metric_sink& sink);

}  // namespace chimera::core::detail
