#include "chimera/core/text/html_escape.hpp"

#include "chimera/core/text/terminal_text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {

std::string html_escape(std::string_view text) {
    const auto clean = terminal_text(sanitize_utf8(text), line_breaks::show);
    std::string out;
    out.reserve(clean.size() + 16);
    for (const char c : clean) {
        switch (c) {
            case '&':
                out.append("&amp;");
                break;
            case '<':
                out.append("&lt;");
                break;
            case '>':
                out.append("&gt;");
                break;
            case '"':
                out.append("&quot;");
                break;
            case '\'':
                out.append("&#39;");
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

}  // namespace chimera::core::detail
