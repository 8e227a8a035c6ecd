#include "chimera/core/benchmark_ingest.hpp"

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

TEST(benchmark_ingest, empty_csv_and_markdown_files_are_fine) {
    const temp_dir dir;
    dir.write("empty.csv", "");
    dir.write("empty.md", "");
    const auto result = ingest_directory(dir.path());
    EXPECT_EQ(result.files, 2U);
    EXPECT_TRUE(result.errors.empty());
    EXPECT_EQ(result.csv_rows, 0U);
    EXPECT_EQ(result.markdown_headings, 0U);
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

TEST(benchmark_ingest, never_follows_symlinks) {
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
    EXPECT_TRUE(result.errors.empty());
    EXPECT_TRUE(result.metrics.empty());
}

TEST(benchmark_ingest, files_over_the_size_limit_are_errors) {
    const temp_dir dir;
    dir.write("big.csv", std::string(2000, 'x'));
    ingest_limits limits;
    limits.max_file_bytes = 1000;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.files, 0U);
    EXPECT_EQ(error_of(result, "big.csv"), "file is 2000 bytes, over the limit of 1000");
}

TEST(benchmark_ingest, stops_at_the_file_limit_and_says_so) {
    const temp_dir dir;
    for (const char* name : {"a.md", "b.md", "c.md", "d.md"}) dir.write(name, "# h\n");
    ingest_limits limits;
    limits.max_files = 2;
    limits.max_first_files = 1;
    const auto result = ingest_directory(dir.path(), limits);
    EXPECT_EQ(result.files, 2U);
    EXPECT_EQ(result.first_markdown, (strings{"a.md"}));
    ASSERT_EQ(result.errors.size(), 1U);
    EXPECT_EQ(result.errors[0].file, "c.md");
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
