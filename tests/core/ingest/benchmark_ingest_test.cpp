#include "chimera/core/ingest/benchmark_ingest.hpp"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::temp_dir;
using strings = std::vector<std::string>;

const harvested_metric* find_metric(const ingest_result& result, std::string_view file, std::string_view key) {
    const auto it = std::find_if(result.metrics.begin(), result.metrics.end(),
                                 [&](const auto& m) { return m.file == file && m.key == key; });
    return it == result.metrics.end() ? nullptr : &*it;
}

std::string error_of(const ingest_result& result, std::string_view file) {
    for (const auto& error : result.errors) {
        if (error.file == file) return error.error;
    }
    return "(no error for " + std::string(file) + ")";
}

// The corpus the reference agents analysed (TR109): 101 benchmark files among others that must be skipped.
class tr109_corpus : public ::testing::Test {
protected:
    static void SetUpTestSuite() { result_ = new ingest_result(ingest_directory(test::data_dir() / "tr109")); }
    static void TearDownTestSuite() {
        delete result_;
        result_ = nullptr;
    }
    static const ingest_result& result() { return *result_; }

private:
    static inline ingest_result* result_ = nullptr;
};

TEST_F(tr109_corpus, counts_the_101_benchmark_files_and_nothing_else) {
    EXPECT_EQ(result().files, 101U);
    EXPECT_EQ(result().csv_files, 28U);
    EXPECT_EQ(result().json_files, 44U);
    EXPECT_EQ(result().markdown_files, 29U);
    EXPECT_EQ(result().bytes, 429'472U);
    EXPECT_TRUE(result().errors.empty()) << result().errors.front().file << ": " << result().errors.front().error;
}

TEST_F(tr109_corpus, lists_the_first_files_per_type_in_sorted_scan_order) {
    EXPECT_EQ(result().first_csv,
              (strings{"data/csv/baseline_performance_summary.csv", "data/csv/ollama_param_tuning.csv",
                       "data/csv/ollama_param_tuning_summary.csv", "data/csv/ollama_quant_bench.csv",
                       "outputs/reports/gemma3/gemma3_1b-it-qat_baseline.csv"}));
    EXPECT_EQ(result().first_json, (strings{"data/csv/baseline_test_results_1759098967.json",
                                            "data/csv/baseline_test_results_1759099000.json",
                                            "data/csv/baseline_test_results_1759186372.json",
                                            "data/csv/baselines/comprehensive_baseline_1759186313.json",
                                            "data/csv/baselines/demo_baseline_1759181419.json"}));
    EXPECT_EQ(result().first_markdown, (strings{"outputs/reports/README.md",
                                                "outputs/reports/compilation/compilation_benchmark_lessons_20251002.md",
                                                "outputs/reports/compilation/conv_bench_20251002-170837.md",
                                                "outputs/reports/compilation/conv_cuda_bench_20251002-172037.md",
                                                "outputs/reports/compilation/mlp_bench_20251002-165750.md"}));
}

TEST_F(tr109_corpus, counts_csv_rows_and_markdown_headings) {
    // Cross-checked with Python's csv module and a CommonMark-rule heading count:
    // 391 lines start with '#', 46 of them inside fenced code.
    EXPECT_EQ(result().csv_rows, 512U);
    EXPECT_EQ(result().markdown_headings, 345U);
    EXPECT_EQ(result().csv_ragged_rows, 0U);
    EXPECT_TRUE(result().warnings.empty());
}

TEST_F(tr109_corpus, recognises_the_pipe_tables) {
    // markdown-it-py (CommonMark + GFM tables) finds 61; it also declines the one table in
    // compilation_benchmark_lessons_20251002.md that directly follows a list item, which GFM accepts.
    EXPECT_EQ(result().markdown_tables, 62U);
}

TEST_F(tr109_corpus, harvests_the_performance_metrics_the_files_hold) {
    EXPECT_EQ(result().metrics.size(), 177U);
    // Values read off the files by hand (first data row / first keys in document order).
    const auto* ttft = find_metric(result(), "data/csv/ollama_param_tuning.csv", "ttft_s");
    const auto* tokens = find_metric(result(), "data/csv/ollama_param_tuning.csv", "tokens_s");
    const auto* json_rate = find_metric(result(), "outputs/reports/gemma3/gemma3_baseline.json", "results[0].tokens_s");
    const auto* overall =
        find_metric(result(), "data/csv/baseline_test_results_1759098967.json", "overall_tokens_per_second");
    ASSERT_NE(ttft, nullptr);
    ASSERT_NE(tokens, nullptr);
    ASSERT_NE(json_rate, nullptr);
    ASSERT_NE(overall, nullptr);
    EXPECT_DOUBLE_EQ(ttft->value, 5.7669);
    EXPECT_DOUBLE_EQ(tokens->value, 77.5);
    EXPECT_DOUBLE_EQ(json_rate->value, 101.04101744413546);
    EXPECT_DOUBLE_EQ(overall->value, 14.590837494496075);
}

TEST_F(tr109_corpus, keeps_at_most_five_metrics_per_file) {
    std::map<std::string, int> per_file;
    for (const auto& metric : result().metrics) ++per_file[metric.file];
    EXPECT_EQ(per_file.size(), 37U);
    for (const auto& [file, count] : per_file) EXPECT_LE(count, 5) << file;
}

TEST_F(tr109_corpus, records_the_newest_mtime_and_the_scan_time) {
    EXPECT_GT(result().latest_modified_unix, 1'600'000'000);  // after 2020: read from the files, not left at 0
    EXPECT_GT(result().seconds, 0.0);
}

TEST_F(tr109_corpus, a_second_scan_is_identical) {
    const auto again = ingest_directory(test::data_dir() / "tr109");
    EXPECT_EQ(again.first_json, result().first_json);
    ASSERT_EQ(again.metrics.size(), result().metrics.size());
    for (std::size_t i = 0; i < again.metrics.size(); ++i) {
        EXPECT_EQ(again.metrics[i].file, result().metrics[i].file);
        EXPECT_EQ(again.metrics[i].key, result().metrics[i].key);
    }
}

TEST(benchmark_ingest, broken_files_become_errors_with_their_relative_paths) {
    const temp_dir dir;
    dir.write("good.json", R"({"tokens_per_second": 42})");
    dir.write("bad/truncated.json", R"({"ttft_ms": [1, 2)");
    dir.write("bad/empty.json", "");
    dir.write("bad/junk.json", std::string("\x7f"
                                           "ELF\x02\x01\x01\0\0\0",
                                           10));
    dir.write("bad/quote.csv", "name,tokens_per_second\n\"unterminated,5\n");
    dir.write("bad/latin1.csv", "name,ttft\ncaf\xe9,1\n");
    dir.write("bad/latin1.md", "# Title\n\nna\xefve\n");

    const auto result = ingest_directory(dir.path());

    EXPECT_EQ(result.files, 1U);
    EXPECT_EQ(result.errors.size(), 6U);
    EXPECT_EQ(result.error_count, 6U);
    EXPECT_NE(error_of(result, "bad/truncated.json").find("parse error"), std::string::npos);
    EXPECT_EQ(error_of(result, "bad/empty.json"), "empty file");
    EXPECT_NE(error_of(result, "bad/junk.json").find("parse error"), std::string::npos);
    EXPECT_EQ(error_of(result, "bad/quote.csv"), "unterminated quoted field opened at byte 23");
    EXPECT_EQ(error_of(result, "bad/latin1.csv"), "invalid UTF-8 at byte 13");
    EXPECT_EQ(error_of(result, "bad/latin1.md"), "invalid UTF-8 at byte 11");
    // Nothing harvested from a file that failed, even what preceded the failure.
    ASSERT_EQ(result.metrics.size(), 1U);
    EXPECT_EQ(result.metrics[0].file, "good.json");
    EXPECT_EQ(result.bytes, 25U);
}

TEST(benchmark_ingest, empty_files_of_every_type_are_errors) {
    const temp_dir dir;
    dir.write("empty.csv", "");
    dir.write("empty.md", "");
    dir.write("empty.json", "");
    dir.write("ok.md", "# ok\n");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 1U);
    EXPECT_EQ(result.error_count, 3U);
    for (const char* name : {"empty.csv", "empty.md", "empty.json"}) EXPECT_EQ(error_of(result, name), "empty file");
}

TEST(benchmark_ingest, matches_extensions_case_insensitively_and_skips_the_rest) {
    const temp_dir dir;
    dir.write("A.CSV", "h\n1\n2\n");
    dir.write("b.Json", "{}");
    dir.write("c.mD", "# x\n");
    dir.write("notes.txt", "# not markdown\n");
    dir.write("script.py", "");
    dir.write("report.ncu-rep", "\x01\x02");
    dir.write(".json", "not json");
    dir.write("csv", "no extension");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 3U);
    EXPECT_TRUE(result.errors.empty());
    EXPECT_EQ(result.first_csv, (strings{"A.CSV"}));
    EXPECT_EQ(result.first_json, (strings{"b.Json"}));
    EXPECT_EQ(result.first_markdown, (strings{"c.mD"}));
    EXPECT_EQ(result.csv_rows, 2U);
}

TEST(benchmark_ingest, never_follows_symlinks_and_names_those_that_look_like_benchmark_files) {
    const temp_dir outside;
    outside.write("secret.json", R"({"ttft": 1})");
    outside.write("dir/more.csv", "ttft\n1\n");
    const temp_dir dir;
    dir.write("real.md", "# Real\n");
    std::filesystem::create_symlink(outside.path() / "secret.json", dir.path() / "link.json");
    std::filesystem::create_directory_symlink(outside.path() / "dir", dir.path() / "linked_dir");
    std::filesystem::create_symlink(dir.path() / "missing.json", dir.path() / "dangling.json");

    const auto result = ingest_directory(dir.path());

    EXPECT_EQ(result.files, 1U);
    EXPECT_EQ(result.first_markdown, (strings{"real.md"}));
    EXPECT_TRUE(result.metrics.empty());
    // A linked directory has no benchmark name: passed over silently, like any other non-benchmark entry.
    ASSERT_EQ(result.errors.size(), 2U);
    EXPECT_EQ(error_of(result, "link.json"), "not read: a symbolic link (links are never followed)");
    EXPECT_EQ(error_of(result, "dangling.json"), "not read: a symbolic link (links are never followed)");
}

TEST(benchmark_ingest, files_over_the_size_limit_are_skipped_with_the_reason) {
    const temp_dir dir;
    dir.write("big.csv", std::string(2000, 'x'));
    dir.write("small.csv", "h\n1\n");
    ingest_limits limits;
    limits.max_file_bytes = 1000;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.files, 1U);
    EXPECT_FALSE(result.limit_exceeded);
    EXPECT_EQ(error_of(result, "big.csv"), "file is 2000 bytes, over the limit of 1000");
}

TEST(benchmark_ingest, one_file_over_the_per_run_file_limit_stops_the_run) {
    const temp_dir dir;
    for (const char* name : {"a.md", "b.md", "c.md", "d.md"}) dir.write(name, "# h\n");
    ingest_limits limits;
    limits.max_files = 2;
    limits.max_first_files = 1;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.files, 2U);
    EXPECT_EQ(result.first_markdown, (strings{"a.md"}));
    ASSERT_TRUE(result.limit_exceeded);
    EXPECT_EQ(*result.limit_exceeded, "data_dir holds more than 2 benchmark files, the per-run file limit");
    limits.max_files = 4;
    EXPECT_FALSE(ingest_directory(dir.path(), limits).limit_exceeded) << "exactly at the limit is fine";
}

TEST(benchmark_ingest, the_per_run_byte_limit_stops_the_run_at_the_file_that_crosses_it) {
    const temp_dir dir;
    for (const char* name : {"a.md", "b.md", "c.md", "d.md"})
        dir.write(name, std::string("# h\n") + std::string(96, 'x'));
    ingest_limits limits;
    limits.max_run_bytes = 250;  // two files of 100 bytes fit, the third crosses
    const auto result = ingest_directory(dir.path(), limits, 4);
    ASSERT_TRUE(result.limit_exceeded);
    EXPECT_EQ(*result.limit_exceeded,
              "the benchmark files hold more than 250 bytes, the per-run byte limit (reached at c.md)");
    EXPECT_EQ(result.files, 2U);
    limits.max_run_bytes = 400;
    EXPECT_FALSE(ingest_directory(dir.path(), limits).limit_exceeded);
}

TEST(benchmark_ingest, per_file_parse_limits_skip_the_file_with_the_reason) {
    const temp_dir dir;
    dir.write("deep.json", "[[[[[1]]]]]");
    dir.write("long.csv", "h\n" + std::string(300, 'x') + "\n");
    dir.write("fine.csv", "h\nshort\n");
    ingest_limits limits;
    limits.max_json_depth = 4;
    limits.max_csv_line_bytes = 256;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.files, 1U);
    EXPECT_FALSE(result.limit_exceeded);
    EXPECT_EQ(error_of(result, "deep.json"), "JSON nested deeper than 4 levels, the depth limit");
    EXPECT_EQ(error_of(result, "long.csv"), "the record at line 2 is over 256 bytes, the CSV line limit");
}

TEST(benchmark_ingest, keeps_the_first_errors_but_counts_them_all) {
    const temp_dir dir;
    for (int i = 0; i < 12; ++i) dir.write("bad" + std::to_string(10 + i) + ".json", "{");
    ingest_limits limits;
    limits.max_errors = 5;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.error_count, 12U);
    ASSERT_EQ(result.errors.size(), 5U);
    EXPECT_EQ(result.errors.front().file, "bad10.json");
    EXPECT_EQ(result.errors.back().file, "bad14.json");
}

TEST(benchmark_ingest, ragged_csv_rows_are_kept_and_reported) {
    const temp_dir dir;
    dir.write("ragged.csv", "name,ttft\na,1\nb\nc,3,extra\nd,4\n");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 1U);
    EXPECT_EQ(result.csv_rows, 4U);
    EXPECT_EQ(result.csv_ragged_rows, 2U);
    ASSERT_EQ(result.warnings.size(), 1U);
    EXPECT_EQ(result.warnings[0].file, "ragged.csv");
    EXPECT_EQ(result.warnings[0].error, "2 of 4 data rows do not have the header's 2 fields (first: line 3 has 1)");
    EXPECT_EQ(result.metrics.size(), 3U) << "cells present in ragged rows are still harvested";
}

TEST(benchmark_ingest, the_thread_count_does_not_change_the_result) {
    const auto one = ingest_directory(test::data_dir() / "tr109", {}, 1);
    const auto four = ingest_directory(test::data_dir() / "tr109", {}, 4);
    EXPECT_EQ(one.files, four.files);
    EXPECT_EQ(one.bytes, four.bytes);
    EXPECT_EQ(one.first_csv, four.first_csv);
    EXPECT_EQ(one.first_json, four.first_json);
    EXPECT_EQ(one.first_markdown, four.first_markdown);
    EXPECT_EQ(one.latest_modified_unix, four.latest_modified_unix);
    ASSERT_EQ(one.metrics.size(), four.metrics.size());
    for (std::size_t i = 0; i < one.metrics.size(); ++i) {
        EXPECT_EQ(one.metrics[i].file, four.metrics[i].file);
        EXPECT_EQ(one.metrics[i].key, four.metrics[i].key);
        EXPECT_EQ(one.metrics[i].value, four.metrics[i].value);
    }
}

TEST(benchmark_ingest, a_confined_directory_can_be_ingested_twice) {
    const temp_dir dir;
    dir.write("a.md", "# a\n");
    const auto root = confined_directory::open(dir.path());
    EXPECT_EQ(ingest_directory(root).files, 1U);
    EXPECT_EQ(ingest_directory(root).files, 1U) << "each scan lists the directory afresh";
}

TEST(benchmark_ingest, scan_order_is_sorted_whatever_the_creation_order) {
    const temp_dir dir;
    for (const char* name : {"z.csv", "m/b.csv", "a.csv", "m/a.csv", "B.csv"}) dir.write(name, "h\n");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.first_csv, (strings{"B.csv", "a.csv", "m/a.csv", "m/b.csv", "z.csv"}));
}

TEST(benchmark_ingest, directories_nested_too_deep_are_reported_not_scanned) {
    const temp_dir dir;
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "d/";
    dir.write(deep + "deep.md", "# deep\n");
    dir.write("shallow.md", "# shallow\n");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 1U);
    ASSERT_EQ(result.errors.size(), 1U);
    EXPECT_EQ(result.errors[0].error, "not scanned: nested deeper than 32 directories");
    EXPECT_EQ(result.errors[0].file.size(), 32U * 2 + 1);  // "d/" x 32 + "d"
}

TEST(benchmark_ingest, a_missing_or_non_directory_root_throws) {
    const temp_dir dir;
    const auto file = dir.write("file.csv", "h\n");
    EXPECT_THROW((void)ingest_directory(dir.path() / "missing"), std::filesystem::filesystem_error);
    EXPECT_THROW((void)ingest_directory(file), std::filesystem::filesystem_error);
}

TEST(benchmark_ingest, an_empty_directory_gives_an_empty_result) {
    const temp_dir dir;
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 0U);
    EXPECT_TRUE(result.errors.empty());
    EXPECT_EQ(result.latest_modified_unix, 0);
}

}  // namespace
}  // namespace chimera::core
