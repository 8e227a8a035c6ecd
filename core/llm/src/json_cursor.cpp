#include "json_cursor.hpp"

#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {
namespace {

/// Beyond 18 digits an integer may not fit in 64 bits, where nlohmann switches to a double.
constexpr std::size_t max_integer_digits = 18;

[[nodiscard]] bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[nodiscard]] int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::uint32_t code_point, std::string& out) {
    if (code_point < 0x80U) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800U) {
        out += static_cast<char>(0xC0U | (code_point >> 6U));
        out += static_cast<char>(0x80U | (code_point & 0x3FU));
    } else if (code_point < 0x10000U) {
        out += static_cast<char>(0xE0U | (code_point >> 12U));
        out += static_cast<char>(0x80U | ((code_point >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (code_point & 0x3FU));
    } else {
        out += static_cast<char>(0xF0U | (code_point >> 18U));
        out += static_cast<char>(0x80U | ((code_point >> 12U) & 0x3FU));
        out += static_cast<char>(0x80U | ((code_point >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (code_point & 0x3FU));
    }
}

}  // namespace

bool json_cursor::string_body(std::string* out) {
    auto run_start = pos_;
    while (true) {
        skip_plain();
        if (pos_ >= text_.size()) return false;
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\') {
            if (out != nullptr) out->append(text_.substr(run_start, pos_ - run_start));
            ++pos_;
            if (c == '"') return true;
            if (!escape(out)) return false;
            run_start = pos_;
            continue;
        }
        if (c < 0x20U) return false;
        saw_non_ascii_ = true;
        ++pos_;
    }
}

bool json_cursor::escape(std::string* out) {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_++];
    char plain = '\0';
    switch (c) {
        case '"':
            plain = '"';
            break;
        case '\\':
            plain = '\\';
            break;
        case '/':
            plain = '/';
            break;
        case 'b':
            plain = '\b';
            break;
        case 'f':
            plain = '\f';
            break;
        case 'n':
            plain = '\n';
            break;
        case 'r':
            plain = '\r';
            break;
        case 't':
            plain = '\t';
            break;
        case 'u':
            return unicode_escape(out);
        default:
            return false;
    }
    if (out != nullptr) *out += plain;
    return true;
}

/// After `\u`: one code unit, or a surrogate pair spelled as two escapes.
bool json_cursor::unicode_escape(std::string* out) {
    std::uint32_t code_point = 0;
    if (!hex4(code_point)) return false;
    if (code_point >= 0xDC00U && code_point <= 0xDFFFU) return false;  // a low surrogate alone
    if (code_point >= 0xD800U && code_point <= 0xDBFFU) {
        std::uint32_t low = 0;
        if (!take("\\u") || !hex4(low) || low < 0xDC00U || low > 0xDFFFU) return false;
        code_point = 0x10000U + ((code_point - 0xD800U) << 10U) + (low - 0xDC00U);
    }
    if (out != nullptr) append_utf8(code_point, *out);
    return true;
}

bool json_cursor::hex4(std::uint32_t& value) {
    if (text_.size() - pos_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
        const int digit = hex_value(text_[pos_++]);
        if (digit < 0) return false;
        value = (value << 4U) | static_cast<std::uint32_t>(digit);
    }
    return true;
}

bool json_cursor::integer(std::int64_t* out) {
    const bool negative = take('-');
    const auto start = pos_;
    std::int64_t magnitude = 0;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
        if (pos_ - start == max_integer_digits) return false;  // before a 19th digit could overflow
        magnitude = magnitude * 10 + (text_[pos_] - '0');
        ++pos_;
    }
    const auto digits = pos_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0')) return false;
    const char next = peek();
    if (next == '.' || next == 'e' || next == 'E') return false;
    if (out != nullptr) *out = negative ? -magnitude : magnitude;
    return true;
}

bool json_cursor::integer_array() {
    return take('[') && items(']', [this] { return integer(nullptr); });
}

bool json_cursor::value(int depth) {
    switch (peek()) {
        case '"':
            ++pos_;
            return string_body(nullptr);
        case '[':
            return depth > 0 && array(depth - 1);
        case '{':
            return depth > 0 && object(depth - 1);
        case 't':
            return take("true");
        case 'f':
            return take("false");
        case 'n':
            return take("null");
        default:
            return integer(nullptr);
    }
}

bool json_cursor::array(int depth) {
    return take('[') && items(']', [this, depth] { return value(depth); });
}

bool json_cursor::object(int depth) {
    return take('{') && items('}', [this, depth] { return member(depth); });
}

/// A member of an object nobody reads: its key may be spelled any way.
bool json_cursor::member(int depth) {
    if (!take('"') || !string_body(nullptr)) return false;
    skip_space();
    if (!take(':')) return false;
    skip_space();
    return value(depth);
}

bool json_cursor::valid_utf8() const { return !saw_non_ascii_ || !find_invalid_utf8(text_).has_value(); }

}  // namespace chimera::core::detail
