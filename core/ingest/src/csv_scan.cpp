#include "csv_scan.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "chimera/core/text/text.hpp"
#include "csv_reader.hpp"

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

/// 1-based line of a byte offset; CRLF, LF and a lone CR each end a line, as for the reader.
[[nodiscard]] std::size_t line_at(std::string_view text, std::size_t offset) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++line;
    }
    return line;
}

/// Rows that don't have the header's field count: kept (cells are harvested by position), but reported.
struct ragged_rows {
    std::size_t count = 0;
    std::size_t first_offset = 0;
    std::size_t first_fields = 0;

    void note(const csv_reader& reader, std::size_t fields) {
        if (count++ == 0) {
            first_offset = reader.record_offset();
            first_fields = fields;
        }
    }

    [[nodiscard]] std::string warning(std::string_view text, std::size_t rows, std::size_t header_fields) const {
        return std::to_string(count) + " of " + std::to_string(rows) + " data rows do not have the header's " +
               std::to_string(header_fields) + " fields (first: line " + std::to_string(line_at(text, first_offset)) +
               " has " + std::to_string(first_fields) + ")";
    }
};

}  // namespace

file_scan scan_csv(std::string_view text, std::size_t max_line_bytes, metric_sink& sink) {
    file_scan scan;
    csv_reader reader(text);
    std::vector<std::string> fields;
    std::vector<metric_column> columns;
    std::optional<std::size_t> header_fields;
    ragged_rows ragged;
    csv_reader::status status{};
    while ((status = reader.next(fields)) == csv_reader::status::record) {
        if (reader.record_bytes() > max_line_bytes) {
            scan.error = "the record at line " + std::to_string(line_at(text, reader.record_offset())) + " is over " +
                         std::to_string(max_line_bytes) + " bytes, the CSV line limit";
            return scan;
        }
        if (!header_fields) {
            columns = metric_columns(fields);
            header_fields = fields.size();
            continue;
        }
        ++scan.csv_rows;
        if (fields.size() != *header_fields) ragged.note(reader, fields.size());
        if (!columns.empty() && sink.wants_more()) harvest_row(fields, columns, sink);
    }
    if (status == csv_reader::status::unterminated_quote) {
        scan.error = "unterminated quoted field opened at byte " + std::to_string(reader.error_offset());
        return scan;
    }
    scan.csv_ragged_rows = ragged.count;
    if (ragged.count > 0) scan.warning = ragged.warning(text, scan.csv_rows, *header_fields);
    return scan;
}

}  // namespace chimera::core::detail
