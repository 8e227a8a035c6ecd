#include "chimera/core/sweep/sweep_report.hpp"

#include <cmath>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sweep_test_support.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;
using test::arm_of;
using test::run_with;
using test::small_sweep;

using test::contains;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

/// Splits one CSV line, honouring RFC 4180 quotes.
std::vector<std::string> csv_cells(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
            cells.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            cells.emplace_back();
        } else {
            cells.back() += c;
        }
    }
    return cells;
}

TEST(sweep_report, markdown_has_the_seed_style_tables) {
    const auto md = render_sweep_markdown(analyze_sweep(small_sweep()));
    EXPECT_TRUE(md.starts_with("# Sweep report: gemma3:latest\n\n## Findings\n\n- ")) << md;
    EXPECT_TRUE(contains(md, "Options: Ollama defaults.")) << md;
    EXPECT_TRUE(contains(md, "| baseline | 3 | 98.50 ± 0.50 | 0.51 | 1955.00 ± 1912.61 | 1500 |\n")) << md;
    EXPECT_TRUE(contains(md,
                         "| gpu80_ctx512_temp0.8 | 3 | 101.50 ± 0.50 | 0.49 | 1870.00 ± 1840.63 | 1500 | +3.05% | "
                         "-4.35% | 0.002 | 6.00 |\n"))
        << md;
    EXPECT_TRUE(contains(md,
                         "| gpu60_ctx256_temp0.6 | 3 | 97.77 ± 0.68 | 0.70 | 2120.00 ± 2060.42 | 1500 | -0.74% | "
                         "+8.44% | 0.213 | -1.23 |\n"))
        << md;
    EXPECT_TRUE(contains(md, "| 1 | gpu80_ctx512_temp0.8 | **101.50** | +3.05% | yes |\n")) << md;
    EXPECT_TRUE(contains(md, "| 2 | gpu60_ctx256_temp0.6 | 97.77 | -0.74% | no |\n")) << md;
    EXPECT_TRUE(contains(md, "| Beat their baseline | 1 (50.0%) |\n")) << md;
    EXPECT_TRUE(contains(md, "| Cross-config CV (%) | 2.65 |\n")) << md;
    EXPECT_TRUE(contains(md, "| baseline | 3 | 3700.00 ± 100.00 | 3 | 210.00 ± 10.00 | — | — |\n")) << md;
    EXPECT_TRUE(contains(md, "| gpu80_ctx512_temp0.8 | 3 | 3550.00 ± 50.00 | 3 | 190.00 ± 10.00 | -4.05% | -9.52% |\n"))
        << md;
    EXPECT_FALSE(contains(md, "| Baseline |")) << "one baseline needs no column";
}

TEST(sweep_report, markdown_names_each_configs_baseline_and_marks_missing_values) {
    sweep_observations sweep;
    sweep.model = "m";
    sweep.baselines.push_back(arm_of("baseline/a|b", {run_with(100, {{1400, 200}})}));
    sweep.baselines.push_back(arm_of("baseline/c", {run_with(100, {{1400, 200}})}));
    sweep.configs.push_back({arm_of("a|b", {run_with(101, {{1300, 200}})}), 0, true});
    sweep.configs.push_back({arm_of("manual", {run_with(99, {{1300, 200}})}), 1, false});
    const auto md = render_sweep_markdown(analyze_sweep(sweep));
    EXPECT_TRUE(contains(md, "| Config | Runs | Throughput (tok/s) | CV (%) | TTFT (ms) | Tokens | Baseline | Δ tok/s"))
        << md;
    EXPECT_TRUE(contains(md, "| a\\|b | 1 | 101.00 | — | 1300.00 | 1500 | baseline/a\\|b | +1.00% | -7.14% | — | — |"))
        << md;
    EXPECT_TRUE(contains(md, "| manual (not in grid) | 1 |")) << md;
    EXPECT_FALSE(contains(md, "| 2 | manual")) << "outside the grid: not ranked";
}

TEST(sweep_report, markdown_prints_tiny_p_values_as_a_bound) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("baseline", {run_with(90, {}), run_with(90.1, {}), run_with(90.2, {})}));
    sweep.configs.push_back({arm_of("fast", {run_with(120, {}), run_with(120.1, {}), run_with(120.2, {})}), 0, true});
    const auto md = render_sweep_markdown(analyze_sweep(sweep));
    EXPECT_TRUE(contains(md, "| < 0.001 |")) << md;
    EXPECT_TRUE(contains(md, "No call recorded a load_duration")) << md;
}

TEST(sweep_report, csv_has_stable_columns_and_one_row_per_arm) {
    const auto csv = render_sweep_csv(analyze_sweep(small_sweep()));
    const auto lines = lines_of(csv);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0],
              "role,config,baseline,in_grid,rank,runs,num_gpu,num_ctx,temperature,top_p,top_k,repeat_penalty,"
              "num_predict,seed,tok_s_mean,tok_s_sd,tok_s_cv_pct,tok_s_median,tok_s_min,tok_s_max,tok_s_q1,tok_s_q3,"
              "ttft_ms_mean,ttft_ms_sd,ttft_ms_median,cold_calls,cold_ttft_ms_mean,cold_ttft_ms_sd,warm_calls,"
              "warm_ttft_ms_mean,warm_ttft_ms_sd,tokens_mean,duration_ms_mean,tok_s_delta_pct,ttft_delta_pct,"
              "cold_ttft_delta_pct,warm_ttft_delta_pct,welch_t,welch_df,p_value,cohens_d,beats_baseline,backend");
    const auto header = csv_cells(lines[0]);
    std::vector<std::map<std::string, std::string>> rows;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto cells = csv_cells(lines[i]);
        ASSERT_EQ(cells.size(), header.size()) << lines[i];
        auto& row = rows.emplace_back();
        for (std::size_t c = 0; c < header.size(); ++c) row[header[c]] = cells[c];
    }
    EXPECT_EQ(rows[0].at("role"), "baseline");
    EXPECT_EQ(rows[0].at("tok_s_mean"), "98.5");
    EXPECT_EQ(rows[0].at("p_value"), "");
    EXPECT_EQ(rows[2].at("role"), "config");
    EXPECT_EQ(rows[2].at("config"), "gpu80_ctx512_temp0.8");
    EXPECT_EQ(rows[2].at("baseline"), "baseline");
    EXPECT_EQ(rows[2].at("rank"), "1");
    EXPECT_EQ(rows[1].at("rank"), "2");
    EXPECT_EQ(rows[2].at("num_gpu"), "80");
    EXPECT_EQ(rows[2].at("temperature"), "0.8");
    EXPECT_EQ(rows[2].at("top_k"), "");
    EXPECT_EQ(rows[2].at("cold_calls"), "3");
    EXPECT_EQ(rows[2].at("warm_ttft_ms_mean"), "190");
    EXPECT_EQ(rows[2].at("welch_df"), "4");
    EXPECT_NEAR(std::stod(rows[2].at("p_value")), 0.0018262606682599833, 1e-13);
    EXPECT_EQ(rows[2].at("beats_baseline"), "true");
    EXPECT_EQ(rows[1].at("beats_baseline"), "false");
    EXPECT_EQ(rows[0].at("backend"), "");  // the sweep named no backend
}

/// small_sweep with every arm on a named backend: the baseline and config 0 on one, config 1 on another.
sweep_observations engine_sweep() {
    auto sweep = small_sweep();
    sweep.baselines[0].backend = "ollama-a";
    sweep.configs[0].arm.backend = "ollama-a";
    sweep.configs[1].arm.backend = "llamacpp-b";
    return sweep;
}

TEST(sweep_report, every_format_says_where_each_arm_ran) {
    const auto result = analyze_sweep(engine_sweep());
    const auto lines = lines_of(render_sweep_csv(result));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(csv_cells(lines[0]).back(), "backend");
    EXPECT_EQ(csv_cells(lines[1]).back(), "ollama-a");
    EXPECT_EQ(csv_cells(lines[2]).back(), "ollama-a");
    EXPECT_EQ(csv_cells(lines[3]).back(), "llamacpp-b");

    const auto out = to_json(result);
    EXPECT_EQ(out["baselines"][0]["backend"], "ollama-a");
    EXPECT_EQ(out["configs"][0]["backend"], "ollama-a");
    EXPECT_EQ(out["configs"][1]["backend"], "llamacpp-b");
    EXPECT_TRUE(to_json(analyze_sweep(small_sweep()))["configs"][1]["backend"].is_null());

    const auto md = render_sweep_markdown(result);
    EXPECT_TRUE(contains(md, "Options: the backend's defaults. Backend: ollama-a.")) << md;
}

TEST(sweep_report, csv_quotes_labels_that_need_it) {
    sweep_observations sweep;
    sweep.baselines.push_back(arm_of("base, \"quoted\"", {run_with(100, {})}));
    sweep.configs.push_back({arm_of("x", {run_with(101, {})}), 0, true});
    const auto lines = lines_of(render_sweep_csv(analyze_sweep(sweep)));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_TRUE(lines[1].starts_with("baseline,\"base, \"\"quoted\"\"\",,")) << lines[1];
    EXPECT_EQ(csv_cells(lines[2])[2], "base, \"quoted\"");
}

/// Equal JSON, numbers within 1e-12 relative (p-values go through exp/log).
void expect_json_near(const json& actual, const json& expected, const std::string& where) {
    if (expected.is_number() && actual.is_number()) {
        const double e = expected.get<double>();
        EXPECT_NEAR(actual.get<double>(), e, 1e-12 * std::max(1.0, std::abs(e))) << where;
        return;
    }
    ASSERT_EQ(actual.type(), expected.type()) << where;
    if (expected.is_object()) {
        ASSERT_EQ(actual.size(), expected.size()) << where << ": " << actual.dump();
        for (const auto& [key, value] : expected.items()) {
            ASSERT_TRUE(actual.contains(key)) << where << "/" << key;
            expect_json_near(actual[key], value, where + "/" + key);
        }
    } else if (expected.is_array()) {
        ASSERT_EQ(actual.size(), expected.size()) << where;
        for (std::size_t i = 0; i < expected.size(); ++i)
            expect_json_near(actual[i], expected[i], where + "/" + std::to_string(i));
    } else {
        EXPECT_EQ(actual, expected) << where;
    }
}

TEST(sweep_report, json_matches_the_contract_example) {
    // examples/sweep_result.json is this sweep's JSON; api_contract validates it against
    // schemas/sweep_result.schema.json, so this pins the output to the schema.
    const auto expected = json::parse(test::read_text(test::api_dir() / "examples" / "sweep_result.json"));
    expect_json_near(to_json(analyze_sweep(small_sweep())), expected, "");
}

TEST(sweep_report, json_uses_null_for_what_cannot_be_computed) {
    sweep_observations sweep;
    auto baseline = arm_of("baseline", {run_with(100, {})});
    baseline.runs[0].calls.push_back({1400, std::nullopt});
    sweep.baselines.push_back(std::move(baseline));
    sweep.configs.push_back({arm_of("a", {}), 0, true});
    const auto out = to_json(analyze_sweep(sweep));
    EXPECT_TRUE(out["baselines"][0]["tok_s"]["sd"].is_null());
    EXPECT_TRUE(out["baselines"][0]["cold_ttft_ms"].is_null());
    EXPECT_TRUE(out["configs"][0]["tok_s"].is_null());
    EXPECT_TRUE(out["configs"][0]["vs_baseline"]["welch"].is_null());
    EXPECT_TRUE(out["across_configs"]["best"].is_null());
    EXPECT_EQ(out["ranking"], json::array());
}

}  // namespace
}  // namespace chimera::core
