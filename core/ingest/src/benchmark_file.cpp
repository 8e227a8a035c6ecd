#include "benchmark_file.hpp"

#include <string>

#include "chimera/core/text/text.hpp"
#include "chimera/core/text/utf8.hpp"
#include "csv_scan.hpp"
#include "json_metric_harvest.hpp"
#include "markdown_scan.hpp"

namespace chimera::core::detail {
namespace {

/// Binary files fail here within their first bytes. NUL alone is not taken as binary: the
/// reference corpus holds a UTF-16 CSV mis-converted to UTF-8, NULs and all, that the
/// reference agents read as text.
[[nodiscard]] std::string text_fault(std::string_view text) {
    if (const auto bad = find_invalid_utf8(text)) return "invalid UTF-8 at byte " + std::to_string(*bad);
    return {};
}

}  // namespace

std::optional<file_kind> kind_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;  // ".json" alone is a hidden file
    const auto extension = name.substr(dot + 1);
    const auto is = [extension](std::string_view wanted) {
        return extension.size() == wanted.size() && contains_nocase(extension, wanted);
    };
    if (is("csv")) return file_kind::csv;
    if (is("json")) return file_kind::json;
    if (is("md")) return file_kind::markdown;
    return std::nullopt;
}

file_scan scan_benchmark_file(file_kind kind, std::string_view text, const parse_limits& limits, metric_sink& sink) {
    file_scan scan;
    if (text.empty()) {
        scan.error = "empty file";
        return scan;
    }
    // nlohmann checks JSON's UTF-8 itself and names the offending token.
    if (kind == file_kind::json) return scan_json(text, limits.max_json_depth, sink);
    scan.error = text_fault(text);
    if (!scan.error.empty()) return scan;
    if (kind == file_kind::csv) return scan_csv(text, limits.max_csv_line_bytes, sink);
    return scan_markdown(text);
}

}  // namespace chimera::core::detail
