#pragma once

#include <string>
#include <string_view>

namespace chimera::core::detail {

/// `text` safe as HTML (and SVG) element content and as a quoted attribute value: & < > " '
/// become character references, ill-formed UTF-8 becomes U+FFFD and control characters their
/// Unicode pictures (terminal_text), so a config or file name from a client cannot open markup.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace chimera::core::detail
