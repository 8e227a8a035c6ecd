#include "chimera/core/text/markdown_cell.hpp"

namespace chimera::core::detail {

std::string markdown_cell(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '|') {
            out += "\\|";
        } else {
            out += (c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    return out;
}

}  // namespace chimera::core::detail
