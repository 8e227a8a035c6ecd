#pragma once

#include <cstddef>
#include <string_view>

#include "file_scan.hpp"

namespace chimera::core::detail {

/// Counts the structure of a Markdown text (a leading BOM is ignored), outside fenced
/// code blocks, where a '#' or '|' line is usually a shell comment or a pipe:
/// - ATX headings: "# Title" … "###### Title", indented at most three spaces;
/// - GFM pipe tables: a header row with '|' followed by a delimiter row ("| --- | :-: |")
///   of the same number of cells. A table runs to a blank line, a heading or a fence.
[[nodiscard]] file_scan scan_markdown(std::string_view text);

}  // namespace chimera::core::detail
