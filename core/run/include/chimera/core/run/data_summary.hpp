#pragma once

#include <string>

#include "chimera/core/ingest/benchmark_ingest.hpp"

namespace chimera::core {

/// The plain-text data summary fed into the analysis prompt (the reference
/// agents' `create_data_summary`): counts per type, sample files, latest change,
/// harvested performance metrics.
[[nodiscard]] std::string render_data_summary(const ingest_result& ingest);

/// Drops the harvested metrics the summary does not show (it shows up to 30 of up to
/// 200), counting them in `metrics_harvested`; the summary stays the same. A run holds
/// its ingest result until it ends, and the metrics it never shows were most of it.
void keep_summary_metrics(ingest_result& ingest);

}  // namespace chimera::core
