#pragma once

#include <string>
#include <string_view>

namespace chimera::core::detail {

/// `text` made safe for a Markdown table cell, which can't hold a line break or an unescaped pipe.
[[nodiscard]] std::string markdown_cell(std::string_view text);

}  // namespace chimera::core::detail
