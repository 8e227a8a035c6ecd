#include "csv_scan.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "csv_reader.hpp"
#include "text.hpp"
#include "utf8.hpp"

namespace chimera::core::detail {
namespace {

[[nodiscard]] std::optional<double> parse_number(std::string_view cell) {
    cell = trim(cell);
    double value = 0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (cell.empty() || ec != std::errc{} || end != cell.data() + cell.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

struct metric_column {
    std::size_t index;
    std::string name;
};

[[nodiscard]] std::vector<metric_column> metric_columns(const std::vector<std::string>& header) {
    std::vector<metric_column> columns;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (is_metric_key(header[i])) columns.push_back({i, std::string(trim(header[i]))});
    }
    return columns;
}

void harvest_row(const std::vector<std::string>& row, const std::vector<metric_column>& columns, metric_sink& sink) {
    for (const auto& column : columns) {
        if (column.index >= row.size()) continue;
        if (const auto value = parse_number(row[column.index])) sink.add(column.name, column.name, *value);
    }
}

}  // namespace

file_scan scan_csv(std::string_view text, metric_sink& sink) {
    file_scan scan;
    if (const auto bad = find_invalid_utf8(text)) {
        scan.error = "invalid UTF-8 at byte " + std::to_string(*bad);
        return scan;
    }
    csv_reader reader(text);
    std::vector<std::string> fields;
    std::vector<metric_column> columns;
    bool have_header = false;
    csv_reader::status status{};
    while ((status = reader.next(fields)) == csv_reader::status::record) {
        if (!have_header) {
            columns = metric_columns(fields);
            have_header = true;
            continue;
        }
        ++scan.csv_rows;
        if (!columns.empty() && sink.wants_more()) harvest_row(fields, columns, sink);
    }
    if (status == csv_reader::status::unterminated_quote) {
        scan.error = "unterminated quoted field opened at byte " + std::to_string(reader.error_offset());
    }
    return scan;
}

}  // namespace chimera::core::detail
