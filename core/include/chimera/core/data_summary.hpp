#pragma once

#include <string>

#include "chimera/core/benchmark_ingest.hpp"

namespace chimera::core {

/// The plain-text data summary fed into the analysis prompt (the reference
/// agents' `create_data_summary`): counts per type, sample files, latest change,
/// harvested performance metrics.
[[nodiscard]] std::string render_data_summary(const ingest_result& ingest);

}  // namespace chimera::core
