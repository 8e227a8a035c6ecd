#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::core::detail {

/// RFC 4180 reader, lenient the way spreadsheet exports need: quoted fields with embedded
/// commas, line breaks and doubled quotes; CRLF, LF or CR line ends; a leading UTF-8 BOM;
/// blank lines skipped; stray quotes inside unquoted fields kept as text.
/// The only hard error is a quoted field that never closes.
class csv_reader {
public:
    enum class status { record, end, unterminated_quote };

    explicit csv_reader(std::string_view text);

    /// Reads the next record into `fields`, reusing their storage across calls.
    [[nodiscard]] status next(std::vector<std::string>& fields);

    /// Where the unterminated quoted field opened (byte offset into the text given).
    [[nodiscard]] std::size_t error_offset() const { return error_offset_; }

    /// Byte offsets of the record `next` returned last: where it starts, and its length
    /// including the line end (quoted line breaks make one record span several lines).
    [[nodiscard]] std::size_t record_offset() const { return record_offset_; }
    [[nodiscard]] std::size_t record_bytes() const { return pos_ - record_offset_; }

private:
    [[nodiscard]] bool read_quoted(std::string& field);
    void read_unquoted(std::string& field);

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t error_offset_ = 0;
    std::size_t record_offset_ = 0;
};

}  // namespace chimera::core::detail
