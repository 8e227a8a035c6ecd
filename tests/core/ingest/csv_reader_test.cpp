#include "csv_reader.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

using rows = std::vector<std::vector<std::string>>;

rows read_all(std::string_view text) {
    csv_reader reader(text);
    rows out;
    std::vector<std::string> fields;
    while (reader.next(fields) == csv_reader::status::record) out.push_back(fields);
    return out;
}

TEST(csv_reader, splits_plain_records) {
    EXPECT_EQ(read_all("a,b,c\n1,2,3\n"), (rows{{"a", "b", "c"}, {"1", "2", "3"}}));
}

TEST(csv_reader, handles_quotes_embedded_separators_and_doubled_quotes) {
    EXPECT_EQ(read_all("name,quote\n\"Smith, J\",\"say \"\"hi\"\"\nthere\"\n"),
              (rows{{"name", "quote"}, {"Smith, J", "say \"hi\"\nthere"}}));
}

TEST(csv_reader, handles_crlf_cr_bom_blank_lines_and_a_missing_final_newline) {
    EXPECT_EQ(read_all("\xEF\xBB\xBFh1,h2\r\n1,2\r\n\r\n3,4\r5,6"),
              (rows{{"h1", "h2"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
}

TEST(csv_reader, keeps_empty_fields_including_a_trailing_one) {
    EXPECT_EQ(read_all(",x,\n"), (rows{{"", "x", ""}}));
    EXPECT_EQ(read_all("a,"), (rows{{"a", ""}}));
    EXPECT_EQ(read_all("\"\",\"\"\n"), (rows{{"", ""}}));
}

TEST(csv_reader, is_lenient_with_stray_quotes) {
    EXPECT_EQ(read_all("5\" screen,\"x\"y\n"), (rows{{"5\" screen", "xy"}}));
}

TEST(csv_reader, reports_an_unterminated_quote_with_its_offset) {
    csv_reader reader("a,b\n1,\"open\n2,3\n");
    std::vector<std::string> fields;
    EXPECT_EQ(reader.next(fields), csv_reader::status::record);
    EXPECT_EQ(reader.next(fields), csv_reader::status::unterminated_quote);
    EXPECT_EQ(reader.error_offset(), 6U);
}

TEST(csv_reader, empty_input_has_no_records) {
    EXPECT_TRUE(read_all("").empty());
    EXPECT_TRUE(read_all("\xEF\xBB\xBF\r\n\n").empty());
}

}  // namespace
}  // namespace chimera::core::detail
