#include "chimera/core/text/terminal_text.hpp"

namespace chimera::core::detail {
namespace {

constexpr unsigned char del = 0x7F;

bool kept(unsigned char c, line_breaks breaks) { return breaks == line_breaks::keep && (c == '\n' || c == '\t'); }

/// The second byte of a UTF-8 C1 control (C2 80 – C2 9F).
bool c1_tail(unsigned char c) { return c >= 0x80 && c <= 0x9F; }

bool needs_change(std::string_view text, line_breaks breaks) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && !kept(c, breaks)) || c == del) return true;
        if (c == 0xC2 && i + 1 < text.size() && c1_tail(static_cast<unsigned char>(text[i + 1]))) return true;
    }
    return false;
}

/// U+2400 + c (U+2421 for DEL) in UTF-8.
void append_control_picture(std::string& out, unsigned char c) {
    out += '\xE2';
    out += '\x90';
    out += static_cast<char>(c == del ? 0xA1 : 0x80 + c);
}

}  // namespace

std::string terminal_text(std::string_view text, line_breaks breaks) {
    if (!needs_change(text, breaks)) return std::string{text};
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' && breaks == line_breaks::keep && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;  // CR LF: the LF alone
        }
        if ((c < 0x20 && !kept(c, breaks)) || c == del) {
            append_control_picture(out, c);
        } else if (c == 0xC2 && i + 1 < text.size() && c1_tail(static_cast<unsigned char>(text[i + 1]))) {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace chimera::core::detail
