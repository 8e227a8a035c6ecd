#include <array>
#include <cstddef>
#include <cstdint>

#include "chimera/core/text/utf8.hpp"
#include "ndjson_line_decode.hpp"

namespace chimera::core::detail {
namespace {

/// Beyond 18 digits an integer may not fit in 64 bits, where nlohmann switches to a double.
constexpr std::size_t max_integer_digits = 18;

/// Bytes a string holds as they are, so that the scan can pass over them in a tight loop:
/// all of printable ASCII but the quote and the backslash. Control characters end the
/// scan (ill-formed), and non-ASCII bytes call for the UTF-8 check.
constexpr std::array<bool, 256> plain_string_bytes = [] {
    std::array<bool, 256> plain{};
    for (std::size_t c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
    return plain;
}();

/// The integer members of the final line, as decode_line_dom reads them.
struct stat_member {
    std::string_view key;
    std::int64_t generation_stats::*field;
};

constexpr std::array<stat_member, 6> stat_members{{
    {"total_duration", &generation_stats::total_duration_ns},
    {"load_duration", &generation_stats::load_duration_ns},
    {"prompt_eval_count", &generation_stats::prompt_eval_count},
    {"prompt_eval_duration", &generation_stats::prompt_eval_duration_ns},
    {"eval_count", &generation_stats::eval_count},
    {"eval_duration", &generation_stats::eval_duration_ns},
}};

[[nodiscard]] bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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

/// A single-pass reader over one line. Every method returns false as soon as the input
/// leaves the shape it understands; the caller then gives the line to nlohmann.
class line_scanner {
public:
    explicit line_scanner(std::string_view line) : line_(line) {}

    [[nodiscard]] std::optional<stream_event> scan() {
        if (!object()) return std::nullopt;
        // Raw bytes outside strings are ASCII by now, and escapes only produce
        // well-formed text, so checking the whole line checks every string.
        if (saw_non_ascii_ && find_invalid_utf8(line_).has_value()) return std::nullopt;
        if (done_) return done_event{std::move(stats_), std::move(response_)};
        if (!saw_response_) return std::nullopt;  // malformed, for nlohmann to word
        return token_event{std::move(response_)};
    }

private:
    [[nodiscard]] bool object() {
        skip_space();
        if (!take('{')) return false;
        skip_space();
        if (peek() == '}') return false;  // no `done`: malformed, for nlohmann to word
        do {
            skip_space();
            if (!member()) return false;
            skip_space();
        } while (take(','));
        if (!take('}')) return false;
        skip_space();
        return pos_ == line_.size() && saw_done_;
    }

    [[nodiscard]] char peek() const { return pos_ < line_.size() ? line_[pos_] : '\0'; }

    [[nodiscard]] bool take(char c) {
        if (pos_ >= line_.size() || line_[pos_] != c) return false;
        ++pos_;
        return true;
    }

    [[nodiscard]] bool take(std::string_view word) {
        if (line_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    void skip_space() {
        while (pos_ < line_.size() && is_json_space(line_[pos_])) ++pos_;
    }

    /// The tight loop most of a line's bytes go through; a local index, so that it
    /// stays in a register.
    void skip_plain() {
        auto pos = pos_;
        while (pos < line_.size() && plain_string_bytes[static_cast<unsigned char>(line_[pos])]) ++pos;
        pos_ = pos;
    }

    /// Members decode_line_dom reads must appear once (nlohmann keeps the last of
    /// duplicates; that is left to it) and with the type it expects.
    [[nodiscard]] bool member() {
        std::string_view key;
        if (!plain_key(key)) return false;
        skip_space();
        if (!take(':')) return false;
        skip_space();
        if (key == "response") return once(saw_response_) && take('"') && string_body(&response_);
        if (key == "done") return once(saw_done_) && boolean(done_);
        if (key == "done_reason") return once(saw_done_reason_) && take('"') && string_body(&stats_.done_reason);
        if (key == "error") return false;
        for (std::size_t i = 0; i < stat_members.size(); ++i) {
            if (key == stat_members[i].key) {
                return once(saw_stat_[i]) && integer(&(stats_.*stat_members[i].field));
            }
        }
        return value();
    }

    [[nodiscard]] static bool once(bool& seen) {
        if (seen) return false;
        seen = true;
        return true;
    }

    /// A key of printable ASCII without escapes: the keys compared above are spelled plainly.
    [[nodiscard]] bool plain_key(std::string_view& key) {
        if (!take('"')) return false;
        const auto start = pos_;
        skip_plain();
        if (!take('"')) return false;
        key = line_.substr(start, pos_ - 1 - start);
        return true;
    }

    [[nodiscard]] bool boolean(bool& out) {
        out = peek() == 't';
        return out ? take("true") : take("false");
    }

    /// A member nobody reads (`model`, `created_at`, `context`, …): only checked.
    [[nodiscard]] bool value() {
        const char c = peek();
        if (c == '"') {
            ++pos_;
            return string_body(nullptr);
        }
        if (c == '[') return integer_array();
        if (c == 't') return take("true");
        if (c == 'f') return take("false");
        if (c == 'n') return take("null");
        return integer(nullptr);
    }

    /// `[]` or `[i, …]`: the final line's `context`.
    [[nodiscard]] bool integer_array() {
        ++pos_;
        skip_space();
        if (take(']')) return true;
        do {
            skip_space();
            if (!integer(nullptr)) return false;
            skip_space();
        } while (take(','));
        return take(']');
    }

    /// -?(0|[1-9][0-9]*) with no fraction or exponent: a double would need nlohmann's
    /// range checks, and no member of a stream's lines is one. Up to 18 digits, so the
    /// value fits in 64 bits whatever its sign, as nlohmann's does.
    [[nodiscard]] bool integer(std::int64_t* out) {
        const bool negative = take('-');
        const auto start = pos_;
        std::int64_t magnitude = 0;
        while (pos_ < line_.size() && is_digit(line_[pos_])) {
            if (pos_ - start == max_integer_digits) return false;  // before a 19th digit could overflow
            magnitude = magnitude * 10 + (line_[pos_] - '0');
            ++pos_;
        }
        const auto digits = pos_ - start;
        if (digits == 0 || (digits > 1 && line_[start] == '0')) return false;
        const char next = peek();
        if (next == '.' || next == 'e' || next == 'E') return false;
        if (out != nullptr) *out = negative ? -magnitude : magnitude;
        return true;
    }

    /// After the opening quote up to and including the closing one; unescapes into
    /// `out` when given, else only checks.
    [[nodiscard]] bool string_body(std::string* out) {
        auto run_start = pos_;
        while (true) {
            skip_plain();
            if (pos_ >= line_.size()) return false;
            const auto c = static_cast<unsigned char>(line_[pos_]);
            if (c == '"' || c == '\\') {
                if (out != nullptr) out->append(line_.substr(run_start, pos_ - run_start));
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

    /// After the backslash.
    [[nodiscard]] bool escape(std::string* out) {
        if (pos_ >= line_.size()) return false;
        const char c = line_[pos_++];
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
    [[nodiscard]] bool unicode_escape(std::string* out) {
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

    [[nodiscard]] bool hex4(std::uint32_t& value) {
        if (line_.size() - pos_ < 4) return false;
        for (int i = 0; i < 4; ++i) {
            const int digit = hex_value(line_[pos_++]);
            if (digit < 0) return false;
            value = (value << 4U) | static_cast<std::uint32_t>(digit);
        }
        return true;
    }

    std::string_view line_;
    std::size_t pos_ = 0;
    std::string response_;
    generation_stats stats_;
    bool done_ = false;
    bool saw_response_ = false;
    bool saw_done_ = false;
    bool saw_done_reason_ = false;
    std::array<bool, stat_members.size()> saw_stat_{};
    bool saw_non_ascii_ = false;
};

}  // namespace

std::optional<stream_event> scan_line(std::string_view line) { return line_scanner{line}.scan(); }

}  // namespace chimera::core::detail
