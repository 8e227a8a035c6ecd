#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chimera::core::detail {

/// For the members a fast path reads: true the first time. nlohmann keeps the last of
/// duplicate keys, so a second sight is left to it.
[[nodiscard]] inline bool once(bool& seen) {
    if (seen) return false;
    seen = true;
    return true;
}

/// A single-pass reader over one JSON text, for the decoders' fast paths (scan_line,
/// scan_chunk). Every method returns false as soon as the input leaves the shapes it reads,
/// which are a subset of what nlohmann accepts: integers of up to 18 digits and no fraction or
/// exponent (a double would need nlohmann's range checks), keys compared only when spelled
/// without escapes. The caller then gives the text to nlohmann, so a fast path never decides
/// a text differently from it.
class json_cursor {
public:
    explicit json_cursor(std::string_view text) : text_(text) {}

    // The small steps are defined here, so that the scanners' loops inline them.

    void skip_space() {
        while (pos_ < text_.size() && is_json_space(text_[pos_])) ++pos_;
    }

    [[nodiscard]] char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    [[nodiscard]] bool take(char c) {
        if (pos_ >= text_.size() || text_[pos_] != c) return false;
        ++pos_;
        return true;
    }

    [[nodiscard]] bool take(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    /// A key of printable ASCII without escapes, quotes included: the keys compared are spelled plainly.
    [[nodiscard]] bool plain_key(std::string_view& key) {
        if (!take('"')) return false;
        const auto start = pos_;
        skip_plain();
        if (!take('"')) return false;
        key = text_.substr(start, pos_ - 1 - start);
        return true;
    }

    /// After the opening quote up to and including the closing one; unescapes into `out`
    /// when given, else only checks.
    [[nodiscard]] bool string_body(std::string* out);

    /// -?(0|[1-9][0-9]*), up to 18 digits so that it fits in 64 bits whatever its sign.
    [[nodiscard]] bool integer(std::int64_t* out);

    [[nodiscard]] bool boolean(bool& out) {
        out = peek() == 't';
        return out ? take("true") : take("false");
    }

    /// `[]` or `[i, …]` of such integers, from its opening bracket.
    [[nodiscard]] bool integer_array();

    /// A value nobody reads: a string, an integer, true, false, null, or an array or object of
    /// such values nested at most `depth` deep; only checked.
    [[nodiscard]] bool value(int depth);

    /// An object whose keys are all spelled plainly, from its opening brace: `on_member(key)`
    /// reads each member's value, the cursor at it.
    template <typename OnMember>
    [[nodiscard]] bool object_of_plain_keys(OnMember on_member) {
        if (!take('{')) return false;
        return items('}', [this, &on_member] {
            std::string_view key;
            if (!plain_key(key)) return false;
            skip_space();
            if (!take(':')) return false;
            skip_space();
            return on_member(key);
        });
    }

    /// Nothing but whitespace left.
    [[nodiscard]] bool at_end() {
        skip_space();
        return pos_ == text_.size();
    }

    /// Raw bytes outside strings are ASCII once a text is read, and escapes only produce
    /// well-formed text, so the text's strings are valid UTF-8 when the whole text is.
    [[nodiscard]] bool valid_utf8() const;

private:
    [[nodiscard]] static bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

    /// Bytes a string holds as they are, so that the scan can pass over them in a tight loop:
    /// all of printable ASCII but the quote and the backslash. Control characters end the
    /// scan (ill-formed), and non-ASCII bytes call for the UTF-8 check.
    static constexpr std::array<bool, 256> plain_string_bytes = [] {
        std::array<bool, 256> plain{};
        for (std::size_t c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
        return plain;
    }();

    /// The tight loop most of a text's bytes go through; a local index, so that it stays in a register.
    void skip_plain() {
        auto pos = pos_;
        while (pos < text_.size() && plain_string_bytes[static_cast<unsigned char>(text_[pos])]) ++pos;
        pos_ = pos;
    }
    [[nodiscard]] bool escape(std::string* out);
    [[nodiscard]] bool unicode_escape(std::string* out);
    [[nodiscard]] bool hex4(std::uint32_t& value);
    [[nodiscard]] bool array(int depth);
    [[nodiscard]] bool object(int depth);
    [[nodiscard]] bool member(int depth);
    /// The items of an array or the members of an object after its opening bracket, each read
    /// by `read`, up to and including `close`.
    template <typename Read>
    [[nodiscard]] bool items(char close, Read read) {
        skip_space();
        if (take(close)) return true;
        do {
            skip_space();
            if (!read()) return false;
            skip_space();
        } while (take(','));
        return take(close);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    bool saw_non_ascii_ = false;
};

}  // namespace chimera::core::detail
