#pragma once

#include <cstddef>
#include <string_view>

#include "file_scan.hpp"

namespace chimera::core::detail {

/// ATX headings ("# Title" … "###### Title", indented at most three spaces) outside
/// fenced code blocks, where a '#' line is usually a shell or Python comment.
[[nodiscard]] std::size_t count_atx_headings(std::string_view text);

/// Checks the file is UTF-8 and counts its headings.
[[nodiscard]] file_scan scan_markdown(std::string_view text);

}  // namespace chimera::core::detail
