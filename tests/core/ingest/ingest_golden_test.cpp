// The ingest of the reference corpus, pinned whole: the data summary the analysis prompt
// carries and every harvested metric (see tests/data/tr109_golden/README.md).
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/run/data_summary.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

std::filesystem::path golden(std::string_view name) { return test::data_dir() / "tr109_golden" / name; }

std::vector<harvested_metric> read_metrics_tsv(const std::filesystem::path& path) {
    std::vector<harvested_metric> metrics;
    std::istringstream in(test::read_text(path));
    std::string file;
    std::string key;
    std::string value;
    while (std::getline(in, file, '\t') && std::getline(in, key, '\t') && std::getline(in, value)) {
        metrics.push_back({file, key, std::stod(value)});
    }
    return metrics;
}

TEST(ingest_golden, the_tr109_data_summary_is_unchanged) {
    const auto summary = render_data_summary(ingest_directory(test::data_dir() / "tr109"));
    const std::regex mtime_line{"Latest modified: [^\n]*"};
    EXPECT_EQ(std::regex_replace(summary, mtime_line, "Latest modified: <mtime of the checkout>"),
              test::read_text(golden("data_summary.txt")));
}

TEST(ingest_golden, the_tr109_harvested_metrics_are_unchanged) {
    const auto expected = read_metrics_tsv(golden("metrics.tsv"));
    ASSERT_EQ(expected.size(), 177U);
    const auto actual = ingest_directory(test::data_dir() / "tr109").metrics;
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        EXPECT_EQ(actual[i].file, expected[i].file) << i;
        EXPECT_EQ(actual[i].key, expected[i].key) << i;
        EXPECT_EQ(actual[i].value, expected[i].value) << i;
    }
}

}  // namespace
}  // namespace chimera::core
