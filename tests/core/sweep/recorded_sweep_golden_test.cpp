// The seed study recomputed from the metrics the reference agents recorded, checked against the
// figures the study published (tests/data/golden/README.md says where each file comes from).
// docs/sweeps.md lists what matches and explains what does not.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chimera/core/sweep/recorded_sweep_import.hpp"
#include "chimera/core/sweep/sweep_analysis.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

namespace fs = std::filesystem;

fs::path golden_dir() { return test::data_dir() / "golden"; }

/// Every metrics.json under `dir`, ordered by folder, as `chimera sweep --from-recorded` reads them.
sweep_result recompute(const fs::path& dir) {
    std::vector<recorded_metrics_file> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().filename() != "metrics.json") continue;
        files.push_back({recorded_folder(entry.path()), nlohmann::json::parse(test::read_text(entry.path()))});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.folder < b.folder; });
    return analyze_sweep(import_recorded_sweep(files));
}

using csv_row = std::map<std::string, std::string>;

/// The published CSVs are plain: no quoting, no embedded commas.
std::vector<csv_row> read_csv(const fs::path& file) {
    std::istringstream in(test::read_text(file));
    const auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::istringstream cells_in(line);
        for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
        return cells;
    };
    std::string line;
    std::getline(in, line);
    const auto header = split(line);
    std::vector<csv_row> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto cells = split(line);
        csv_row row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

/// `actual` printed with as many decimals as `printed` has reads the same: the published figure
/// to its printed precision (printf and Python's % formatting both round the binary value exactly).
void expect_printed(double actual, const std::string& printed, const std::string& what) {
    const auto point = printed.find('.');
    const int decimals = point == std::string::npos ? 0 : static_cast<int>(printed.size() - point - 1);
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, actual);
    EXPECT_EQ(std::string(buffer.data()), printed) << what;
}

const config_result& config_named(const sweep_result& result, std::string_view label) {
    for (const auto& config : result.configs) {
        if (config.summary.label == label) return config;
    }
    throw std::runtime_error("no config " + std::string(label));
}

/// Published TTFT percentages are reductions, (baseline − config) / baseline: our delta negated.
double reduction(const std::optional<double>& delta) { return -delta.value(); }

/// The last component of a published `source` path, without the Python agent's "run_" prefix.
std::string label_of_source(const std::string& source) {
    auto label = source.substr(source.find_last_of('\\') + 1);
    return label.starts_with("run_") ? label.substr(4) : label;
}

class recorded_sweep_golden : public ::testing::Test {
protected:
    // Imported once for the suite: every test reads the same two recomputed studies.
    static void SetUpTestSuite() {
        rust_ = recompute(golden_dir() / "rust_sweep");
        python_ = recompute(golden_dir() / "python_sweep");
    }
    static void TearDownTestSuite() {
        rust_.reset();
        python_.reset();
    }
    static const sweep_result& language(const std::string& name) { return name == "rust" ? *rust_ : *python_; }

    static inline std::optional<sweep_result> rust_;
    static inline std::optional<sweep_result> python_;
};

TEST_F(recorded_sweep_golden, tr111_v2_summary_every_row_and_column) {
    const auto rows = read_csv(golden_dir() / "published" / "tr111_v2_summary.csv");
    ASSERT_EQ(rows.size(), 19u);
    ASSERT_EQ(rust_->configs.size(), 19u);
    for (const auto& row : rows) {
        const auto& config = config_named(*rust_, row.at("config"));
        const auto& baseline = rust_->baselines[config.baseline];
        const auto& name = row.at("config");
        expect_printed(baseline.tok_s->mean, row.at("baseline_tok_s"), name + " baseline_tok_s");
        expect_printed(config.summary.tok_s->mean, row.at("chimera_tok_s"), name + " chimera_tok_s");
        expect_printed(*config.vs_baseline.tok_s_delta_pct, row.at("throughput_delta_pct"), name + " throughput");
        expect_printed(baseline.ttft_ms->mean, row.at("baseline_ttft_ms"), name + " baseline_ttft_ms");
        expect_printed(config.summary.ttft_ms->mean, row.at("chimera_ttft_ms"), name + " chimera_ttft_ms");
        expect_printed(reduction(config.vs_baseline.ttft_delta_pct), row.at("ttft_delta_pct"), name + " ttft");
        expect_printed(*baseline.tokens_mean, row.at("baseline_tokens"), name + " baseline_tokens");
        expect_printed(*config.summary.tokens_mean, row.at("chimera_tokens"), name + " chimera_tokens");
    }
}

TEST_F(recorded_sweep_golden, rust_vs_python_sweep_summary_every_row_and_column_at_full_precision) {
    const auto rows = read_csv(golden_dir() / "published" / "rust_vs_python_sweep_summary.csv");
    ASSERT_EQ(rows.size(), 36u);
    for (const auto& row : rows) {
        const auto& result = language(row.at("language"));
        const auto name = row.at("language") + " " + label_of_source(row.at("source"));
        const auto& config = config_named(result, label_of_source(row.at("source")));
        const auto& baseline = result.baselines[config.baseline];
        const auto& options = config.summary.options;
        EXPECT_EQ(options.num_gpu, std::stoll(row.at("gpu"))) << name;
        EXPECT_EQ(options.num_ctx, std::stoll(row.at("ctx"))) << name;
        EXPECT_EQ(options.temperature, std::stod(row.at("temp"))) << name;
        expect_printed(baseline.tok_s->mean, row.at("baseline_tok_s"), name + " baseline_tok_s");
        expect_printed(config.summary.tok_s->mean, row.at("chimera_tok_s"), name + " chimera_tok_s");
        expect_printed(*config.vs_baseline.tok_s_delta_pct, row.at("throughput_pct"), name + " throughput_pct");
        expect_printed(baseline.ttft_ms->mean, row.at("baseline_ttft_ms"), name + " baseline_ttft_ms");
        expect_printed(config.summary.ttft_ms->mean, row.at("chimera_ttft_ms"), name + " chimera_ttft_ms");
        expect_printed(reduction(config.vs_baseline.ttft_delta_pct), row.at("ttft_pct"), name + " ttft_pct");
        expect_printed(*baseline.tokens_mean, row.at("baseline_tokens"), name + " baseline_tokens");
        expect_printed(*config.summary.tokens_mean, row.at("chimera_tokens"), name + " chimera_tokens");
        expect_printed(*baseline.duration_ms_mean, row.at("baseline_duration_ms"), name + " baseline_duration_ms");
        expect_printed(*config.summary.duration_ms_mean, row.at("chimera_duration_ms"), name + " chimera_duration");
    }
}

TEST_F(recorded_sweep_golden, tr112_v2_language_stats) {
    const auto rows = read_csv(golden_dir() / "published" / "tr112_v2_language_stats.csv");
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& row : rows) {
        const auto& name = row.at("language");
        const auto& across = language(name).across;
        EXPECT_EQ(across.configs, std::stoul(row.at("config_count"))) << name;  // manual_test is not in the grid
        expect_printed(*across.baseline_tok_s_mean, row.at("avg_baseline_tok_s"), name + " avg_baseline_tok_s");
        expect_printed(across.config_tok_s->mean, row.at("avg_chimera_tok_s"), name + " avg_chimera_tok_s");
        expect_printed(*across.tok_s_delta_pct_mean, row.at("avg_throughput_pct"), name + " avg_throughput_pct");
        expect_printed(reduction(across.ttft_delta_pct_mean), row.at("avg_ttft_pct"), name + " avg_ttft_pct");
        expect_printed(across.config_tok_s->max, row.at("peak_chimera_tok_s"), name + " peak_chimera_tok_s");
        // Published as gpu80_ctx512_temp0.8 where the folder says temp0p8.
        auto best = language(name).configs[*across.best].summary.label;
        best.replace(best.find("temp0p"), 6, "temp0.");
        EXPECT_EQ(best, row.at("peak_config")) << name;
    }
}

TEST_F(recorded_sweep_golden, seed_report_optimization_figures) {
    // Seed report §7.1 and Appendix F: success rate, mean and peak improvement per language.
    EXPECT_EQ(rust_->across.beating_baseline, 13u);
    EXPECT_EQ(python_->across.beating_baseline, 7u);
    expect_printed(*rust_->across.success_rate_pct, "72.2", "rust success rate");
    expect_printed(*python_->across.success_rate_pct, "38.9", "python success rate");
    expect_printed(*rust_->across.tok_s_delta_pct_mean, "0.138", "rust mean improvement");
    expect_printed(*python_->across.tok_s_delta_pct_mean, "0.095", "python mean improvement");
    expect_printed(*rust_->across.tok_s_delta_pct_max, "0.61", "rust peak improvement");
    expect_printed(*python_->across.tok_s_delta_pct_max, "2.20", "python peak improvement");
    // §5.3: mean TTFT change, as the study's reduction percentage.
    expect_printed(reduction(rust_->across.ttft_delta_pct_mean), "2.1", "rust mean TTFT change");
    expect_printed(reduction(python_->across.ttft_delta_pct_mean), "-9.4", "python mean TTFT change");
    // §4.3: Python's best config.
    const auto& python_best = python_->configs[*python_->across.best];
    EXPECT_EQ(python_best.summary.label, "gpu60_ctx512_temp0p8");
    expect_printed(python_best.summary.tok_s->mean, "101.08", "python best tok/s");
    expect_printed(python_best.summary.ttft_ms->mean, "448.95", "python best TTFT");
    expect_printed(*python_best.vs_baseline.tok_s_delta_pct, "2.2", "python best improvement");
    expect_printed(reduction(python_best.vs_baseline.ttft_delta_pct), "68.4", "python best TTFT improvement");
}

TEST_F(recorded_sweep_golden, every_rust_call_was_a_cold_start) {
    for (const auto& config : rust_->configs) {
        EXPECT_FALSE(config.summary.warm_ttft_ms) << config.summary.label;
        ASSERT_TRUE(config.summary.cold_ttft_ms) << config.summary.label;
        EXPECT_EQ(config.summary.cold_ttft_ms->count, config.summary.ttft_ms->count);
    }
}

TEST(recorded_sweep_seed_baseline, seed_sds_are_sample_sds_of_the_published_population_sds) {
    // Seed §4.1 / §5.1 print the Rust baseline as 114.54 ± 2.97 tok/s and 603.53 ± 61.16 ms;
    // tr109_full_config_stats.csv has 2.708068 and 55.833 for the same 6 runs: numpy's default
    // population sd. Sample sd = population sd × √(n / (n − 1)).
    const auto rows = read_csv(golden_dir() / "published" / "tr109_full_config_stats.csv");
    const auto row = std::find_if(rows.begin(), rows.end(), [](const csv_row& r) {
        return r.at("kind") == "rust_baseline" && r.at("config") == "baseline_default";
    });
    ASSERT_NE(row, rows.end());
    const double n = std::stod(row->at("runs"));
    const double to_sample = std::sqrt(n / (n - 1));
    expect_printed(std::stod(row->at("avg_tokens_per_sec")), "114.54", "baseline mean");
    expect_printed(std::stod(row->at("std_tokens_per_sec")) * to_sample, "2.97", "baseline tok/s sd");
    expect_printed(std::stod(row->at("avg_ttft_ms")), "603.53", "baseline TTFT mean");
    expect_printed(std::stod(row->at("std_ttft_ms")) * to_sample, "61.16", "baseline TTFT sd");
    // The same numbers read as sample sds would not print as the seed does.
    EXPECT_GT(std::abs(std::stod(row->at("std_tokens_per_sec")) - 2.97), 0.005);
}

}  // namespace
}  // namespace chimera::core
