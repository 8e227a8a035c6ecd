#include "csv_reader.hpp"

#include <algorithm>

namespace chimera::core::detail {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view field_end = ",\r\n";

[[nodiscard]] bool is_line_end(char c) { return c == '\n' || c == '\r'; }

/// The n-th field slot, cleared but keeping its capacity from earlier records.
std::string& slot(std::vector<std::string>& fields, std::size_t index) {
    if (index == fields.size()) fields.emplace_back();
    fields[index].clear();
    return fields[index];
}

}  // namespace

csv_reader::csv_reader(std::string_view text) : text_(text) {
    if (text_.substr(0, utf8_bom.size()) == utf8_bom) pos_ = utf8_bom.size();
}

csv_reader::status csv_reader::next(std::vector<std::string>& fields) {
    while (pos_ < text_.size() && is_line_end(text_[pos_])) ++pos_;
    if (pos_ >= text_.size()) return status::end;
    record_offset_ = pos_;
    std::size_t count = 0;
    while (true) {
        std::string& field = slot(fields, count++);
        if (text_[pos_] == '"') {
            if (!read_quoted(field)) return status::unterminated_quote;
        }
        read_unquoted(field);
        if (pos_ >= text_.size()) break;
        const char separator = text_[pos_++];
        if (separator != ',') {
            if (separator == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            break;
        }
        if (pos_ >= text_.size()) {  // a trailing comma still opens one last, empty field
            slot(fields, count++);
            break;
        }
    }
    fields.resize(count);
    return status::record;
}

bool csv_reader::read_quoted(std::string& field) {
    const std::size_t opened_at = pos_++;
    while (true) {
        const auto quote = text_.find('"', pos_);
        if (quote == std::string_view::npos) {
            error_offset_ = opened_at;
            return false;
        }
        field.append(text_.substr(pos_, quote - pos_));
        pos_ = quote + 1;
        if (pos_ >= text_.size() || text_[pos_] != '"') return true;
        field += '"';
        ++pos_;
    }
}

void csv_reader::read_unquoted(std::string& field) {
    const auto end = std::min(text_.find_first_of(field_end, pos_), text_.size());
    field.append(text_.substr(pos_, end - pos_));
    pos_ = end;
}

}  // namespace chimera::core::detail
