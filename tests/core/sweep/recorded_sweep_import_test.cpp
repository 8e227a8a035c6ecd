#include "chimera/core/sweep/recorded_sweep_import.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

using nlohmann::json;

json rust_run(std::int64_t tokens, double eval_ms, double ttft_ms, double load_ms) {
    return {{"tokens_generated", tokens},
            {"eval_duration_ms", eval_ms},
            {"ttft_ms", ttft_ms},
            {"load_duration_ms", load_ms},
            {"total_duration_ms", eval_ms + load_ms + 250}};
}

json rust_metrics(json configuration = json::object()) {
    return {
        {"baseline",
         {{"model", "gemma3:latest"},
          {"configuration", json::object()},
          {"individual_runs", {rust_run(1496, 15284.3547, 3601.9103, 3325.209)}}}},
        {"chimera",
         {{"model", "gemma3:latest"},
          {"configuration", std::move(configuration)},
          {"individual_runs", {rust_run(1606, 16360.4477, 3894.8367, 3598.3223), rust_run(1500, 15000, 400, 12)}}}},
    };
}

json python_block(double tok_s, double ttft_ms, std::int64_t tokens, json configuration) {
    return {{"metrics",
             {{"model", "gemma3:latest"},
              {"configuration", std::move(configuration)},
              {"aggregate_metrics",
               {{"average_tokens_per_second", tok_s},
                {"average_ttft_ms", ttft_ms},
                {"total_tokens_generated", tokens},
                {"total_duration_ms", 24648.341}}}}}};
}

json python_metrics() {
    return json::array(
        {{{"run_number", 1},
          {"baseline_results", python_block(99.39353783532877, 1376.03195, 2171, json::object())},
          {"chimera_results", python_block(99.21429318577177, 1430.6285, 2099,
                                           {{"num_gpu", 60}, {"num_ctx", 256}, {"temperature", 0.6}})}}});
}

TEST(recorded_sweep_import, reads_the_rust_agents_layout) {
    const std::vector<recorded_metrics_file> files{
        {"gpu60_ctx256_temp0p6",
         rust_metrics(
             {{"num_gpu", 60}, {"num_ctx", 256}, {"temperature", 0.6000000238418579}, {"top_p", 0.8999999761581421}})}};
    const auto sweep = import_recorded_sweep(files);
    EXPECT_EQ(sweep.model, "gemma3:latest");
    ASSERT_EQ(sweep.baselines.size(), 1u);
    ASSERT_EQ(sweep.configs.size(), 1u);
    const auto& config = sweep.configs[0];
    EXPECT_EQ(config.arm.label, "gpu60_ctx256_temp0p6");
    EXPECT_EQ(config.baseline, 0u);
    EXPECT_TRUE(config.in_grid);
    EXPECT_EQ(sweep.baselines[0].label, "baseline/gpu60_ctx256_temp0p6");
    EXPECT_TRUE(to_json(sweep.baselines[0].options).empty());
    // The agent's f32 options come back as typed.
    EXPECT_EQ(config.arm.options.temperature, 0.6);
    EXPECT_EQ(config.arm.options.top_p, 0.9);
    EXPECT_EQ(config.arm.options.num_ctx, 256);
    ASSERT_EQ(config.arm.runs.size(), 2u);
    const auto& run = config.arm.runs[0];
    EXPECT_EQ(run.tokens_per_second, 1606 / (16360.4477 / 1000));  // recomputed, bit for bit
    EXPECT_EQ(run.tokens_generated, 1606);
    ASSERT_EQ(run.calls.size(), 1u);
    EXPECT_EQ(run.calls[0].ttft_ms, 3894.8367);
    EXPECT_EQ(classify_start(run.calls[0]), start_kind::cold);
    EXPECT_EQ(classify_start(config.arm.runs[1].calls[0]), start_kind::warm);
}

TEST(recorded_sweep_import, reads_the_python_agents_layout) {
    const std::vector<recorded_metrics_file> files{{"run_gpu60_ctx256_temp0p6", python_metrics()}};
    const auto sweep = import_recorded_sweep(files);
    ASSERT_EQ(sweep.configs.size(), 1u);
    const auto& config = sweep.configs[0];
    EXPECT_EQ(config.arm.label, "gpu60_ctx256_temp0p6");
    EXPECT_TRUE(config.in_grid);
    EXPECT_EQ(config.arm.options.num_gpu, 60);
    EXPECT_EQ(config.arm.options.temperature, 0.6);
    ASSERT_EQ(config.arm.runs.size(), 1u);
    EXPECT_EQ(config.arm.runs[0].tokens_per_second, 99.21429318577177);
    EXPECT_EQ(config.arm.runs[0].duration_ms, 24648.341);
    EXPECT_EQ(classify_start(config.arm.runs[0].calls[0]), start_kind::unknown);
    EXPECT_EQ(sweep.baselines[0].runs[0].tokens_generated, 2171);
}

TEST(recorded_sweep_import, marks_folders_outside_the_grid) {
    const std::vector<recorded_metrics_file> files{
        {"gpu60_ctx256_temp0p6", rust_metrics()}, {"manual_test", rust_metrics()},
        {"gpu60_ctx256", rust_metrics()},         {"gpu60_ctx256_temp1", rust_metrics()},
        {"gpu60_ctx256_temp0p", rust_metrics()},
    };
    const auto sweep = import_recorded_sweep(files);
    ASSERT_EQ(sweep.configs.size(), 5u);
    EXPECT_TRUE(sweep.configs[0].in_grid);
    EXPECT_FALSE(sweep.configs[1].in_grid);
    EXPECT_FALSE(sweep.configs[2].in_grid);
    EXPECT_TRUE(sweep.configs[3].in_grid);
    EXPECT_FALSE(sweep.configs[4].in_grid);
    EXPECT_EQ(sweep.configs[4].baseline, 4u);
}

void expect_error(const std::vector<recorded_metrics_file>& files, std::string_view part) {
    try {
        (void)import_recorded_sweep(files);
        ADD_FAILURE() << "accepted";
    } catch (const recorded_format_error& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

TEST(recorded_sweep_import, names_the_folder_and_path_of_a_bad_field) {
    auto metrics = rust_metrics();
    metrics["chimera"]["individual_runs"][1].erase("ttft_ms");
    expect_error({{"gpu80", metrics}}, "gpu80: chimera.individual_runs[1] has no \"ttft_ms\"");
    metrics = rust_metrics();
    metrics["baseline"]["individual_runs"][0]["eval_duration_ms"] = "15 s";
    expect_error({{"gpu80", metrics}}, "gpu80: baseline.individual_runs[0].eval_duration_ms must be a number");
    auto python = python_metrics();
    python[0]["chimera_results"]["metrics"]["aggregate_metrics"].erase("average_ttft_ms");
    expect_error({{"run_x", python}},
                 "run_x: [0].chimera_results.metrics.aggregate_metrics has no \"average_ttft_ms\"");
    expect_error({{"gpu80", rust_metrics({{"num_ctx", 0}})}}, "gpu80: chimera.configuration: options.num_ctx");
}

TEST(recorded_sweep_import, refuses_mixed_layouts_models_and_unknown_files) {
    expect_error({{"gpu60_ctx256_temp0p6", rust_metrics()}, {"run_gpu60_ctx256_temp0p6", python_metrics()}},
                 "mixes the Rust and the Python");
    auto other_model = rust_metrics();
    other_model["chimera"]["model"] = "llama3.2:latest";
    expect_error({{"a", rust_metrics()}, {"b", other_model}}, "b: model differs from gemma3:latest");
    expect_error({{"x", json{{"runs", 3}}}}, "x: neither the Rust nor the Python");
    expect_error({}, "no recorded metrics.json");
}

TEST(recorded_sweep_import, finds_the_config_folder_of_a_metrics_file) {
    EXPECT_EQ(recorded_folder("sweep/gpu60_ctx256_temp0p6/data/metrics.json"), "gpu60_ctx256_temp0p6");
    EXPECT_EQ(recorded_folder("/x/chimera_sweep/run_gpu80_ctx512_temp0p8/metrics.json"), "run_gpu80_ctx512_temp0p8");
}

}  // namespace
}  // namespace chimera::core
