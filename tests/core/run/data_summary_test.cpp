#include "chimera/core/run/data_summary.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::contains;

std::size_t count_lines_starting(const std::string& text, std::string_view prefix) {
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < text.size(); pos = text.find('\n', pos) + 1) {
        if (text.compare(pos, prefix.size(), prefix) == 0) ++count;
        if (text.find('\n', pos) == std::string::npos) break;
    }
    return count;
}

ingest_result small_ingest() {
    ingest_result ingest;
    ingest.files = 3;
    ingest.bytes = 1234;
    ingest.csv_files = 1;
    ingest.json_files = 1;
    ingest.markdown_files = 1;
    ingest.first_csv = {"data/a.csv"};
    ingest.first_json = {"data/b.json"};
    ingest.first_markdown = {"README.md"};
    ingest.latest_modified_unix = 1'759'098'967;
    ingest.csv_rows = 36;
    ingest.markdown_headings = 7;
    ingest.markdown_tables = 2;
    ingest.metrics = {{"data/a.csv", "tokens_s", 77.5}, {"data/b.json", "results[0].ttft_s", 2.3260788}};
    ingest.errors = {{"bad.json", "empty file"}};
    return ingest;
}

TEST(data_summary, states_counts_samples_latest_change_and_metrics) {
    const auto summary = render_data_summary(small_ingest());
    EXPECT_EQ(summary,
              "Total files analysed: 3 (1234 bytes)\n"
              "\n"
              "CSV files (1, 36 data rows):\n"
              "  - data/a.csv\n"
              "JSON files (1):\n"
              "  - data/b.json\n"
              "Markdown files (1, 7 headings, 2 tables):\n"
              "  - README.md\n"
              "Latest modified: 2025-09-28T22:36:07.000Z\n"
              "\n"
              "Files not ingested (1):\n"
              "  - bad.json: empty file\n"
              "\n"
              "Performance metrics (2 of 2 harvested):\n"
              "- data/a.csv: tokens_s = 77.5\n"
              "- data/b.json: results[0].ttft_s = 2.32608\n");
}

TEST(data_summary, says_loudly_when_nothing_was_ingested) {
    const auto summary = render_data_summary({});
    EXPECT_TRUE(contains(summary, "Total files analysed: 0"));
    EXPECT_TRUE(contains(summary, "WARNING: no benchmark files"));
    EXPECT_FALSE(contains(summary, "Latest modified"));
    EXPECT_FALSE(contains(summary, "Performance metrics"));
}

TEST(data_summary, lists_thirty_metrics_spread_over_files) {
    ingest_result ingest;
    for (int file = 0; file < 30; ++file) {
        // Appended piecewise: GCC 12 gives a false -Wrestrict for "literal" + std::string here.
        std::string name = "f";
        name += std::to_string(file) + ".csv";
        for (int i = 0; i < 5; ++i) ingest.metrics.push_back({name, "ttft", static_cast<double>(i)});
    }
    const auto summary = render_data_summary(ingest);
    EXPECT_EQ(count_lines_starting(summary, "- f"), 30U);
    EXPECT_TRUE(contains(summary, "Performance metrics (30 of 150 harvested)"));
    // Every file gets its first value in before any file gets a second.
    EXPECT_TRUE(contains(summary, "- f29.csv: ttft = 0\n"));
    EXPECT_FALSE(contains(summary, "ttft = 1"));
}

TEST(data_summary, keeping_only_the_metrics_it_shows_leaves_the_summary_unchanged) {
    auto ingest = ingest_directory(test::data_dir() / "tr109");
    const auto summary = render_data_summary(ingest);
    const auto harvested = ingest.metrics.size();
    keep_summary_metrics(ingest);
    EXPECT_EQ(ingest.metrics.size(), 30U);
    EXPECT_EQ(ingest.metrics_harvested, harvested);
    EXPECT_EQ(render_data_summary(ingest), summary);
    keep_summary_metrics(ingest);
    EXPECT_EQ(render_data_summary(ingest), summary) << "twice is once";
}

TEST(data_summary, the_tr109_summary_is_prompt_sized_and_deterministic) {
    const auto ingest = ingest_directory(test::data_dir() / "tr109");
    const auto summary = render_data_summary(ingest);
    EXPECT_EQ(summary, render_data_summary(ingest_directory(test::data_dir() / "tr109")));
    EXPECT_TRUE(contains(summary, "Total files analysed: 101 (429472 bytes)"));
    EXPECT_TRUE(contains(summary, "CSV files (28, 512 data rows):"));
    EXPECT_TRUE(contains(summary, "JSON files (44):"));
    EXPECT_TRUE(contains(summary, "Markdown files (29, 345 headings, 62 tables):"));
    EXPECT_TRUE(contains(summary, "  ... and 23 more\n"));
    EXPECT_TRUE(contains(summary, "- data/csv/ollama_param_tuning.csv: ttft_s = 5.7669\n"));
    EXPECT_EQ(count_lines_starting(summary, "- "), 30U);
    // At ~3.5 bytes a token this keeps the analysis prompt near the reference agents' 800-1000 tokens.
    EXPECT_LT(summary.size(), 3500U);
}

}  // namespace
}  // namespace chimera::core
