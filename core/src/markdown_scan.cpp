#include "markdown_scan.hpp"

#include <string>

#include "utf8.hpp"

namespace chimera::core::detail {
namespace {

constexpr std::size_t max_indent = 3;
constexpr std::size_t max_heading_level = 6;
constexpr std::size_t min_fence_length = 3;

struct fence {
    char marker = 0;  ///< '`' or '~'; 0 outside a fenced block
    std::size_t length = 0;
};

/// Removes an indent of up to three spaces; false for indented code (four or more).
[[nodiscard]] bool strip_indent(std::string_view& line) {
    std::size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    if (indent > max_indent) return false;
    line.remove_prefix(indent);
    return true;
}

[[nodiscard]] std::size_t run_length(std::string_view line, char c) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == c) ++n;
    return n;
}

[[nodiscard]] bool is_heading(std::string_view line) {
    const std::size_t level = run_length(line, '#');
    if (level == 0 || level > max_heading_level) return false;
    return level == line.size() || line[level] == ' ' || line[level] == '\t' || line[level] == '\r';
}

/// Updates the fence state; true when the line opened or closed a fence.
[[nodiscard]] bool track_fence(std::string_view line, fence& open) {
    const char c = line.empty() ? '\0' : line.front();
    if (c != '`' && c != '~') return false;
    const std::size_t length = run_length(line, c);
    if (length < min_fence_length) return false;
    if (open.marker == 0) {
        open = {c, length};
        return true;
    }
    if (c == open.marker && length >= open.length && line.substr(length).find_first_not_of(" \t\r") == line.npos) {
        open = {};
        return true;
    }
    return false;
}

}  // namespace

std::size_t count_atx_headings(std::string_view text) {
    std::size_t headings = 0;
    fence open;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!strip_indent(line)) continue;
        if (track_fence(line, open) || open.marker != 0) continue;
        if (is_heading(line)) ++headings;
    }
    return headings;
}

file_scan scan_markdown(std::string_view text) {
    file_scan scan;
    if (const auto bad = find_invalid_utf8(text)) {
        scan.error = "invalid UTF-8 at byte " + std::to_string(*bad);
        return scan;
    }
    scan.markdown_headings = count_atx_headings(text);
    return scan;
}

}  // namespace chimera::core::detail
