#include <charconv>
#include <cstddef>
#include <cstdint>

#include "ndjson_line_decode.hpp"
#include "utf8.hpp"

namespace chimera::core::detail {
namespace {

/// Beyond 18 digits an integer may not fit in 64 bits, where nlohmann switches to a double.
constexpr std::size_t max_integer_digits = 18;

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

/// The members of a final line that the scanner reads or must see once, as bits of a set.
namespace key {
constexpr unsigned response = 1U << 0U;
constexpr unsigned done = 1U << 1U;
constexpr unsigned done_reason = 1U << 2U;
constexpr unsigned context = 1U << 3U;
constexpr unsigned total_duration = 1U << 4U;
constexpr unsigned load_duration = 1U << 5U;
constexpr unsigned prompt_eval_count = 1U << 6U;
constexpr unsigned prompt_eval_duration = 1U << 7U;
constexpr unsigned eval_count = 1U << 8U;
constexpr unsigned eval_duration = 1U << 9U;
}  // namespace key

/// The bit of a known key, 0 for any other; by length first, so most keys cost one comparison.
[[nodiscard]] unsigned key_bit(std::string_view name) {
    const auto is = [name](std::string_view known, unsigned bit) { return name == known ? bit : 0U; };
    switch (name.size()) {
        case 4:
            return is("done", key::done);
        case 7:
            return is("context", key::context);
        case 8:
            return is("response", key::response);
        case 10:
            return is("eval_count", key::eval_count);
        case 11:
            return is("done_reason", key::done_reason);
        case 13:
            return is("load_duration", key::load_duration) | is("eval_duration", key::eval_duration);
        case 14:
            return is("total_duration", key::total_duration);
        case 17:
            return is("prompt_eval_count", key::prompt_eval_count);
        case 20:
            return is("prompt_eval_duration", key::prompt_eval_duration);
        default:
            return 0;
    }
}

/// Where each integer stat of a final line goes.
[[nodiscard]] std::int64_t* stat_field(unsigned bit, generation_stats& stats) {
    switch (bit) {
        case key::total_duration:
            return &stats.total_duration_ns;
        case key::load_duration:
            return &stats.load_duration_ns;
        case key::prompt_eval_count:
            return &stats.prompt_eval_count;
        case key::prompt_eval_duration:
            return &stats.prompt_eval_duration_ns;
        case key::eval_count:
            return &stats.eval_count;
        case key::eval_duration:
            return &stats.eval_duration_ns;
        default:
            return nullptr;
    }
}

/// A single-pass reader over one line. Every method returns false as soon as the input
/// leaves the shape it understands; the caller then gives the line to nlohmann.
class stream_line_scanner {
public:
    explicit stream_line_scanner(std::string_view line) : line_(line) {}

    [[nodiscard]] bool scan(std::string& text) {
        skip_space();
        if (!take('{')) return false;
        skip_space();
        if (peek() == '}') return false;  // no `done`: malformed, for nlohmann to word
        do {
            skip_space();
            if (!member(text)) return false;
            skip_space();
        } while (take(','));
        if (!take('}')) return false;
        skip_space();
        if (pos_ != line_.size() || !saw_response_ || !saw_done_) return false;
        // Raw bytes outside strings are ASCII by now, and escapes only produce
        // well-formed text, so checking the whole line checks every string.
        return !saw_non_ascii_ || !find_invalid_utf8(line_).has_value();
    }

    /// The final line. Its own loop rather than a shared one: the token line's loop is the
    /// hot one, and sharing it cost that line a fifth of its time in GCC's code.
    [[nodiscard]] bool scan_final(done_event& out) {
        skip_space();
        if (!take('{')) return false;
        do {
            skip_space();
            if (!final_member(out)) return false;
            skip_space();
        } while (take(','));
        if (!take('}')) return false;
        skip_space();
        if (pos_ != line_.size() || (seen_ & key::done) == 0U) return false;
        return !saw_non_ascii_ || !find_invalid_utf8(line_).has_value();
    }

private:
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

    [[nodiscard]] bool member(std::string& text) {
        std::string_view key;
        if (!plain_key(key)) return false;
        skip_space();
        if (!take(':')) return false;
        skip_space();
        if (key == "response") {
            if (saw_response_) return false;  // nlohmann keeps the last duplicate; leave that to it
            saw_response_ = true;
            text.clear();
            return take('"') && string_body(&text);
        }
        if (key == "done") {
            if (saw_done_) return false;
            saw_done_ = true;
            return take("false");  // `true` is the final line, which has stats to read
        }
        if (key == "error") return false;
        return scalar();
    }

    [[nodiscard]] bool final_member(done_event& out) {
        std::string_view name;
        if (!plain_key(name)) return false;
        skip_space();
        if (!take(':')) return false;
        skip_space();
        if (name == "error") return false;
        const unsigned bit = key_bit(name);
        if ((seen_ & bit) != 0U) return false;  // nlohmann keeps the last duplicate; leave that to it
        seen_ |= bit;
        switch (bit) {
            case 0:
                return scalar();
            case key::response:
                return take('"') && string_body(&out.response);
            case key::done:
                return take("true");
            case key::done_reason:
                return take('"') && string_body(&out.stats.done_reason);
            case key::context:
                return integer_array();
            default:
                return integer_value(*stat_field(bit, out.stats));
        }
    }

    /// A key of printable ASCII without escapes: the keys compared above are spelled plainly.
    [[nodiscard]] bool plain_key(std::string_view& key) {
        if (!take('"')) return false;
        const auto start = pos_;
        while (pos_ < line_.size()) {
            const char c = line_[pos_];
            if (c == '"') {
                key = line_.substr(start, pos_ - start);
                ++pos_;
                return true;
            }
            if (c == '\\' || static_cast<unsigned char>(c) < 0x20U || static_cast<unsigned char>(c) >= 0x7FU) {
                return false;
            }
            ++pos_;
        }
        return false;
    }

    [[nodiscard]] bool scalar() {
        const char c = peek();
        if (c == '"') {
            ++pos_;
            return string_body(nullptr);
        }
        if (c == 't') return take("true");
        if (c == 'f') return take("false");
        if (c == 'n') return take("null");
        return integer();
    }

    /// -?(0|[1-9][0-9]*) with no fraction or exponent: a double would need nlohmann's
    /// range checks, and nothing in a token line is one.
    [[nodiscard]] bool integer() {
        static_cast<void>(take('-'));
        const auto start = pos_;
        while (pos_ < line_.size() && is_digit(line_[pos_])) ++pos_;
        const auto digits = pos_ - start;
        if (digits == 0 || digits > max_integer_digits || (digits > 1 && line_[start] == '0')) return false;
        const char next = peek();
        return next != '.' && next != 'e' && next != 'E';
    }

    [[nodiscard]] bool integer_value(std::int64_t& out) {
        const auto start = pos_;
        if (!integer()) return false;
        std::from_chars(line_.data() + start, line_.data() + pos_, out);
        return true;
    }

    /// `[]` or integers separated by commas: the final line's `context`, an id per token.
    [[nodiscard]] bool integer_array() {
        if (!take('[')) return false;
        skip_space();
        if (take(']')) return true;
        do {
            skip_space();
            if (!integer()) return false;
            skip_space();
        } while (take(','));
        return take(']');
    }

    /// After the opening quote up to and including the closing one; unescapes into
    /// `out` when given, else only checks.
    [[nodiscard]] bool string_body(std::string* out) {
        auto run_start = pos_;
        while (pos_ < line_.size()) {
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
            if (c >= 0x80U) saw_non_ascii_ = true;
            ++pos_;
        }
        return false;
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
    bool saw_response_ = false;
    bool saw_done_ = false;
    bool saw_non_ascii_ = false;
    unsigned seen_ = 0;  ///< key:: bits, final line only
};

}  // namespace

bool scan_token_line(std::string_view line, std::string& text) { return stream_line_scanner{line}.scan(text); }

bool scan_final_line(std::string_view line, done_event& out) { return stream_line_scanner{line}.scan_final(out); }

}  // namespace chimera::core::detail
