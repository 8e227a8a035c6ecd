#pragma once

#include <cstddef>
#include <string>

namespace chimera::core::detail {

/// What one benchmark file contributes to the ingest totals, or why it contributes nothing.
struct file_scan {
    std::size_t csv_rows = 0;
    std::size_t markdown_headings = 0;
    std::string error;  ///< empty when the file parsed
};

}  // namespace chimera::core::detail
