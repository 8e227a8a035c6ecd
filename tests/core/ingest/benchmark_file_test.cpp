#include "benchmark_file.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

struct parsed {
    file_scan scan;
    std::vector<harvested_metric> metrics;
};

parsed parse(file_kind kind, std::string_view text, parse_limits limits = {}) {
    parsed out;
    metric_sink sink(out.metrics, metric_sink::max_per_file);
    sink.start_file("f");
    out.scan = scan_benchmark_file(kind, text, limits, sink);
    return out;
}

TEST(benchmark_file, kind_follows_the_extension_in_any_case) {
    EXPECT_EQ(kind_of("a.csv"), file_kind::csv);
    EXPECT_EQ(kind_of("A.JSON"), file_kind::json);
    EXPECT_EQ(kind_of("notes.Md"), file_kind::markdown);
    EXPECT_EQ(kind_of("archive.csv.gz"), std::nullopt);
    EXPECT_EQ(kind_of(".json"), std::nullopt);
    EXPECT_EQ(kind_of("csv"), std::nullopt);
    EXPECT_EQ(kind_of("x.markdown"), std::nullopt);
}

TEST(benchmark_file, an_empty_file_of_any_kind_is_an_error) {
    for (const auto kind : {file_kind::csv, file_kind::json, file_kind::markdown}) {
        EXPECT_EQ(parse(kind, "").scan.error, "empty file");
    }
}

TEST(benchmark_file, binary_content_is_an_error_naming_the_first_bad_byte) {
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    EXPECT_EQ(parse(file_kind::csv, png).scan.error, "invalid UTF-8 at byte 0");
    EXPECT_EQ(parse(file_kind::markdown, "# ok\n\xff").scan.error, "invalid UTF-8 at byte 5");
    EXPECT_NE(parse(file_kind::json, png).scan.error.find("parse error"), std::string::npos);
}

TEST(benchmark_file, nul_bytes_in_valid_utf8_are_text_as_for_the_reference_agents) {
    // tr109's ncu_summary.csv: UTF-16 mis-converted to UTF-8, read by the reference agents as one more CSV.
    const auto utf16ish = parse(file_kind::csv, std::string("\xC3\xBF\xC3\xBE=\0=\0\r\0\r\n\0", 13));
    EXPECT_TRUE(utf16ish.scan.error.empty()) << utf16ish.scan.error;
}

TEST(benchmark_file, csv_follows_rfc_4180_with_bom_crlf_and_quoted_fields) {
    const auto csv = parse(file_kind::csv,
                           "\xEF\xBB\xBFmodel,\"notes, free text\",tokens_per_second\r\n"
                           "\"gemma3, q4\",\"said \"\"fast\"\"\r\nover two lines\",101.5\r\n"
                           "llama,,99\r\n");
    ASSERT_TRUE(csv.scan.error.empty()) << csv.scan.error;
    EXPECT_EQ(csv.scan.csv_rows, 2U);
    EXPECT_EQ(csv.scan.csv_ragged_rows, 0U);
    ASSERT_EQ(csv.metrics.size(), 2U);
    EXPECT_EQ(csv.metrics[0].key, "tokens_per_second");
    EXPECT_EQ(csv.metrics[0].value, 101.5);
    EXPECT_EQ(csv.metrics[1].value, 99.0);
}

TEST(benchmark_file, csv_with_an_unterminated_quote_is_an_error) {
    EXPECT_EQ(parse(file_kind::csv, "a,b\n1,\"open\n2,3\n").scan.error, "unterminated quoted field opened at byte 6");
}

TEST(benchmark_file, ragged_csv_rows_are_counted_and_named_in_a_warning) {
    const auto csv = parse(file_kind::csv, "a,b,c\r\n1,2,3\r\n4,5\r\n\r\n6,7,8,9\r\n");
    EXPECT_TRUE(csv.scan.error.empty());
    EXPECT_EQ(csv.scan.csv_rows, 3U);
    EXPECT_EQ(csv.scan.csv_ragged_rows, 2U);
    EXPECT_EQ(csv.scan.warning, "2 of 3 data rows do not have the header's 3 fields (first: line 3 has 2)");
}

TEST(benchmark_file, a_csv_record_over_the_line_limit_is_an_error) {
    parse_limits limits;
    limits.max_csv_line_bytes = 16;
    EXPECT_TRUE(parse(file_kind::csv, "h\n0123456789abcd\n", limits).scan.error.empty()) << "15 bytes and LF fit";
    EXPECT_EQ(parse(file_kind::csv, "h\n\"0123456789\nabcdef\"\n", limits).scan.error,
              "the record at line 2 is over 16 bytes, the CSV line limit");
}

TEST(benchmark_file, truncated_json_is_an_error_and_keeps_no_metric) {
    const auto json = parse(file_kind::json, R"({"ttft_ms": 12, "runs": [1, 2)");
    EXPECT_NE(json.scan.error.find("parse error"), std::string::npos) << json.scan.error;
}

TEST(benchmark_file, json_deeper_than_the_limit_is_an_error) {
    parse_limits limits;
    limits.max_json_depth = 2;
    EXPECT_TRUE(parse(file_kind::json, R"({"a":[1]})", limits).scan.error.empty());
    EXPECT_EQ(parse(file_kind::json, R"({"a":[[1]]})", limits).scan.error,
              "JSON nested deeper than 2 levels, the depth limit");
}

TEST(benchmark_file, markdown_counts_headings_and_tables) {
    const auto md = parse(file_kind::markdown, "# Results\n\n| model | tok/s |\n|---|---|\n| a | 1 |\n\n## More\n");
    EXPECT_TRUE(md.scan.error.empty());
    EXPECT_EQ(md.scan.markdown_headings, 2U);
    EXPECT_EQ(md.scan.markdown_tables, 1U);
    EXPECT_TRUE(md.metrics.empty()) << "the reference agents harvest metrics from CSV and JSON only";
}

}  // namespace
}  // namespace chimera::core::detail
