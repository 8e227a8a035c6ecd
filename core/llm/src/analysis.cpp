#include "chimera/core/llm/analysis.hpp"

#include <optional>

#include "chimera/core/text/text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core {
namespace {

constexpr std::size_t max_items = 20;
constexpr std::size_t max_item_bytes = 500;
constexpr std::size_t max_summary_bytes = 2000;
constexpr std::size_t max_plain_label_bytes = 40;
constexpr std::size_t max_heading_level = 6;
/// Bold and plain labels rank below every Markdown heading level.
constexpr std::size_t label_level = max_heading_level + 1;

enum class section { none, summary, findings, recommendations, other };

/// A heading-like line: "## Key Findings", "**5. Recommendations**", "Summary:".
struct label {
    section kind = section::other;
    std::size_t level = label_level;
    std::string_view rest;  ///< text after an inline label ("**Summary:** The data…")
};

struct list_item {
    std::size_t indent = 0;
    std::string_view text;
};

[[nodiscard]] section classify(std::string_view title) {
    if (detail::contains_nocase(title, "recommend")) return section::recommendations;
    if (detail::contains_nocase(title, "finding")) return section::findings;
    if (detail::contains_nocase(title, "summary")) return section::summary;
    return section::other;
}

[[nodiscard]] std::size_t leading(std::string_view text, char c) {
    const auto end = text.find_first_not_of(c);
    return end == std::string_view::npos ? text.size() : end;
}

[[nodiscard]] std::optional<label> as_heading(std::string_view line) {
    const std::size_t level = leading(line, '#');
    if (level == 0 || level > max_heading_level) return std::nullopt;
    if (level < line.size() && line[level] != ' ' && line[level] != '\t') return std::nullopt;
    const auto title = detail::trim(line.substr(level));
    return label{classify(title.substr(0, title.find_last_not_of('#') + 1)), level, {}};
}

/// "**Key Findings**", "**Key Findings:**", or "**Summary:** inline text" for a known section.
[[nodiscard]] std::optional<label> as_bold_label(std::string_view line) {
    if (line.substr(0, 2) != "**") return std::nullopt;
    const auto close = line.find("**", 2);
    if (close == std::string_view::npos) return std::nullopt;
    const auto title = line.substr(2, close - 2);
    auto rest = detail::trim(line.substr(close + 2));
    bool colon = !title.empty() && title.back() == ':';
    if (!rest.empty() && rest.front() == ':') {
        colon = true;
        rest = detail::trim(rest.substr(1));
    }
    const section kind = classify(title);
    // Text after the label is only taken as that section's first line for "**Summary:** text";
    // "**Note:** text" or "**Bold** words" are plain prose.
    if (!rest.empty() && (kind == section::other || !colon)) return std::nullopt;
    return label{kind, label_level, rest};
}

[[nodiscard]] std::size_t indent_of(std::string_view line) {
    std::size_t indent = 0;
    for (const char c : line) {
        if (c == ' ') {
            ++indent;
        } else if (c == '\t') {
            indent += 4;
        } else {
            break;
        }
    }
    return indent;
}

/// Length of a list marker at the start of `text` ("- ", "* ", "+ ", "• ", "12. ", "3) "), or 0.
[[nodiscard]] std::size_t marker_length(std::string_view text) {
    std::size_t length = 0;
    if (text.substr(0, 3) == "\xE2\x80\xA2") {
        length = 3;
    } else if (!text.empty() && (text.front() == '-' || text.front() == '*' || text.front() == '+')) {
        length = 1;
    } else {
        const std::size_t digits = text.find_first_not_of("0123456789");
        if (digits == 0 || digits > 3 || digits == std::string_view::npos) return 0;
        if (text[digits] != '.' && text[digits] != ')') return 0;
        length = digits + 1;
    }
    if (length >= text.size() || (text[length] != ' ' && text[length] != '\t')) return 0;
    return length;
}

[[nodiscard]] std::optional<list_item> as_list_item(std::string_view line) {
    const std::size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) return std::nullopt;
    const auto body = line.substr(indent);
    const std::size_t marker = marker_length(body);
    if (marker == 0) return std::nullopt;
    return list_item{indent_of(line), detail::trim(body.substr(marker))};
}

[[nodiscard]] std::optional<label> as_label(std::string_view line) {
    if (auto heading = as_heading(line)) return heading;
    if (auto bold = as_bold_label(line)) return bold;
    if (line.size() <= max_plain_label_bytes && line.back() == ':' && classify(line) != section::other &&
        !as_list_item(line)) {
        return label{classify(line), label_level, {}};
    }
    return std::nullopt;
}

/// "---", "***", "___" and spaced variants: separators, not content.
[[nodiscard]] bool is_rule(std::string_view text) {
    if (text.size() < 3 || (text.front() != '-' && text.front() != '*' && text.front() != '_')) return false;
    std::size_t marks = 0;
    for (const char c : text) {
        if (c == text.front()) {
            ++marks;
        } else if (c != ' ') {
            return false;
        }
    }
    return marks >= 3;
}

[[nodiscard]] bool is_fence(std::string_view text) { return text.substr(0, 3) == "```" || text.substr(0, 3) == "~~~"; }

/// Appends `text` without Markdown bold markers, separated from what is there by a space.
void append_plain(std::string& out, std::string_view text) {
    if (!out.empty() && !text.empty()) out += ' ';
    for (std::size_t pos = 0; pos < text.size();) {
        const auto bold = text.find("**", pos);
        out.append(text.substr(pos, bold - pos));
        if (bold == std::string_view::npos) break;
        pos = bold + 2;
    }
}

class analysis_parser {
public:
    void line(std::string_view raw) {
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        const auto text = detail::trim(raw);
        if (is_fence(text)) {
            in_fence_ = !in_fence_;
            return end_block();
        }
        if (in_fence_ || text.empty() || is_rule(text)) return end_block();
        if (const auto found = as_label(text)) return enter(*found);
        content(raw, text);
    }

    [[nodiscard]] analysis finish() && {
        end_block();
        if (result_.summary.empty()) result_.summary = std::move(first_paragraph_);
        result_.summary = std::string(detail::utf8_prefix(result_.summary, max_summary_bytes));
        for (auto* items : {&result_.key_findings, &result_.recommendations}) {
            for (auto& item : *items) item = std::string(detail::utf8_prefix(item, max_item_bytes));
        }
        return std::move(result_);
    }

private:
    void end_block() {
        if (current_ == section::summary && !paragraph_.empty()) {
            if (!result_.summary.empty()) result_.summary += "\n\n";
            result_.summary += paragraph_;
        }
        paragraph_.clear();
        if (!first_paragraph_.empty()) first_paragraph_done_ = true;
        blank_since_item_ = true;
    }

    void enter(const label& found) {
        end_block();
        open_item_ = nullptr;
        // A deeper heading that names no section is a subsection of the current one.
        if (found.kind == section::other && current_ != section::none && found.level > level_) return;
        current_ = found.kind;
        // Only the first summary counts: a later "Data Ingestion Summary" is not the analysis summary.
        if (current_ == section::summary && !result_.summary.empty()) current_ = section::other;
        level_ = found.level;
        base_indent_.reset();
        if (!found.rest.empty()) content(found.rest, found.rest);
    }

    void content(std::string_view raw, std::string_view text) {
        if (text.front() == '|') return;  // table rows are not prose
        const auto item = as_list_item(raw);
        auto* items = current_items();
        if (!first_paragraph_done_ && !item && items == nullptr) append_plain(first_paragraph_, text);
        if (current_ == section::summary) return append_plain(paragraph_, item ? item->text : text);
        if (items == nullptr) return;
        if (item) {
            add_item(*items, *item);
        } else {
            continue_item(raw, text);
        }
    }

    [[nodiscard]] std::vector<std::string>* current_items() {
        if (current_ == section::findings) return &result_.key_findings;
        if (current_ == section::recommendations) return &result_.recommendations;
        return nullptr;
    }

    void add_item(std::vector<std::string>& items, const list_item& item) {
        if (!base_indent_) base_indent_ = item.indent;
        blank_since_item_ = false;
        if (open_item_ != nullptr && item.indent > *base_indent_ + 1) return append_plain(*open_item_, item.text);
        if (items.size() == max_items || item.text.empty()) {
            open_item_ = nullptr;
            return;
        }
        open_item_ = &items.emplace_back();
        append_plain(*open_item_, item.text);
    }

    /// Lazy continuation lines belong to the item above; after a blank line only indented ones do.
    void continue_item(std::string_view raw, std::string_view text) {
        if (open_item_ != nullptr && (!blank_since_item_ || indent_of(raw) >= 2)) {
            append_plain(*open_item_, text);
        } else {
            open_item_ = nullptr;
        }
    }

    analysis result_;
    section current_ = section::none;
    std::size_t level_ = 0;
    std::optional<std::size_t> base_indent_;
    std::string* open_item_ = nullptr;
    bool blank_since_item_ = true;
    bool in_fence_ = false;
    std::string paragraph_;
    std::string first_paragraph_;
    bool first_paragraph_done_ = false;
};

}  // namespace

analysis parse_analysis(std::string_view text) {
    analysis_parser parser;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        parser.line(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return std::move(parser).finish();
}

}  // namespace chimera::core
