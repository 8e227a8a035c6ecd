#include "markdown_scan.hpp"

#include <string>

#include "chimera/core/text/text.hpp"

namespace chimera::core::detail {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
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

/// The cells of a table row: split on '|' not escaped by a backslash, one leading and
/// one trailing pipe being borders, not separators. Calls `cell` for each; returns the count.
template <typename Cell>
std::size_t for_each_cell(std::string_view row, Cell&& cell) {
    row = trim(row);
    if (row.starts_with('|')) row.remove_prefix(1);
    if (row.ends_with('|') && !row.ends_with("\\|")) row.remove_suffix(1);
    std::size_t count = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= row.size(); ++i) {
        if (i < row.size() && row[i] == '\\') {
            ++i;
        } else if (i == row.size() || row[i] == '|') {
            cell(trim(row.substr(start, i - start)));
            ++count;
            start = i + 1;
        }
    }
    return count;
}

/// ":---", "---:", ":-:" or "---".
[[nodiscard]] bool is_delimiter_cell(std::string_view cell) {
    if (cell.starts_with(':')) cell.remove_prefix(1);
    if (cell.ends_with(':')) cell.remove_suffix(1);
    return !cell.empty() && cell.find_first_not_of('-') == std::string_view::npos;
}

/// The number of cells of a delimiter row, or 0 when `line` is not one.
[[nodiscard]] std::size_t delimiter_cells(std::string_view line) {
    if (line.find('|') == std::string_view::npos) return 0;
    bool all_delimiters = true;
    const std::size_t cells =
        for_each_cell(line, [&](std::string_view cell) { all_delimiters = all_delimiters && is_delimiter_cell(cell); });
    return all_delimiters ? cells : 0;
}

[[nodiscard]] std::size_t header_cells(std::string_view line) {
    if (line.find('|') == std::string_view::npos) return 0;
    return for_each_cell(line, [](std::string_view) {});
}

/// One pass over the lines, outside fences: headings, and tables found at their delimiter row.
class markdown_counter {
public:
    void line(std::string_view line) {
        if (trim(line).empty()) return end_block();
        // Deeper indents are code, or the continuation of a table row: neither starts anything.
        if (!strip_indent(line)) {
            previous_cells_ = 0;
            return;
        }
        if (track_fence(line, fence_) || fence_.marker != 0) return end_block();
        if (is_heading(line)) {
            ++scan_.markdown_headings;
            return end_block();
        }
        if (!in_table_ && previous_cells_ > 0 && delimiter_cells(line) == previous_cells_) {
            ++scan_.markdown_tables;
            in_table_ = true;
        }
        previous_cells_ = in_table_ ? 0 : header_cells(line);
    }

    [[nodiscard]] const file_scan& scan() const { return scan_; }

private:
    void end_block() {
        in_table_ = false;
        previous_cells_ = 0;
    }

    file_scan scan_;
    fence fence_;
    bool in_table_ = false;
    std::size_t previous_cells_ = 0;  ///< cells of the previous line as a table header; 0 if it can't be one
};

}  // namespace

file_scan scan_markdown(std::string_view text) {
    if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
    markdown_counter counter;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        counter.line(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return counter.scan();
}

}  // namespace chimera::core::detail
