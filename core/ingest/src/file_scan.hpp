#pragma once

#include <cstddef>
#include <string>

namespace chimera::core::detail {

/// What one benchmark file contributes to the ingest totals, or why it contributes nothing.
struct file_scan {
    std::size_t csv_rows = 0;
    std::size_t csv_ragged_rows = 0;  ///< data rows whose field count differs from the header's
    std::size_t markdown_headings = 0;
    std::size_t markdown_tables = 0;
    std::string error;    ///< empty when the file parsed
    std::string warning;  ///< a remark on a file that parsed (ragged rows), or empty
};

}  // namespace chimera::core::detail
