#include "chimera/core/sweep/sweep_spec.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::core {
namespace {

sweep_spec parse_ok(std::string_view body) {
    auto result = parse_sweep_spec(body);
    if (const auto* error = std::get_if<request_error>(&result)) {
        ADD_FAILURE() << "unexpected error " << error->field << ": " << error->detail;
        return {};
    }
    return std::get<sweep_spec>(std::move(result));
}

request_error parse_error(std::string_view body) {
    auto result = parse_sweep_spec(body);
    if (std::holds_alternative<sweep_spec>(result)) {
        ADD_FAILURE() << "accepted " << body;
        return {};
    }
    return std::get<request_error>(std::move(result));
}

TEST(sweep_spec, numbers_out_of_range_are_400s_naming_their_field) {
    const auto grid = parse_error(R"({"grid":{"num_ctx":[512,1e400]},"repetitions":2})");
    EXPECT_EQ(grid.field, "grid.num_ctx[1]");
    EXPECT_NE(grid.detail.find("1e400 is out of range"), std::string::npos) << grid.detail;
    EXPECT_EQ(parse_error(R"({"grid":{"num_ctx":[512]},"repetitions":1e400})").field, "repetitions");
    EXPECT_EQ(parse_error(R"({"grid":{"num_ctx":[512]},"cooldown":1e400})").field, "cooldown");
}

TEST(sweep_spec, parses_the_seed_study) {
    const auto spec = parse_ok(R"({
        "model": "gemma3:latest", "data_dir": "tr109", "label": "TR111 v2",
        "grid": {"temperature": [0.6, 0.8], "num_ctx": [256, 512, 1024], "num_gpu": [60, 80, 120]},
        "repetitions": 3, "cooldown_seconds": 2.5})");
    EXPECT_EQ(spec.model, "gemma3:latest");
    EXPECT_EQ(spec.data_dir, "tr109");
    EXPECT_EQ(spec.label, "TR111 v2");
    EXPECT_TRUE(to_json(spec.baseline).empty());
    EXPECT_EQ(spec.repetitions, 3u);
    EXPECT_EQ(spec.cooldown_seconds, 2.5);
    ASSERT_EQ(spec.grid.size(), 3u);
    // The seed's axis order, whatever order the body used.
    EXPECT_EQ(spec.grid[0].option, "num_gpu");
    EXPECT_EQ(spec.grid[1].option, "num_ctx");
    EXPECT_EQ(spec.grid[2].option, "temperature");
    ASSERT_EQ(spec.grid[1].values.size(), 3u);
    EXPECT_EQ(spec.grid[1].values[2].num_ctx, 1024);
    EXPECT_FALSE(spec.grid[1].values[2].num_gpu);
    EXPECT_EQ(spec.grid[2].values[0].temperature, 0.6);
    EXPECT_EQ(config_count(spec), 18u);
}

TEST(sweep_spec, defaults_to_three_repetitions_no_cooldown_and_ollama_defaults) {
    const auto spec = parse_ok(R"({"grid": {"top_k": [20, 40]}})");
    EXPECT_EQ(spec.repetitions, 3u);
    EXPECT_EQ(spec.cooldown_seconds, 0);
    EXPECT_FALSE(spec.model);
    EXPECT_FALSE(spec.data_dir);
    EXPECT_TRUE(to_json(spec.baseline).empty());
}

TEST(sweep_spec, any_run_option_may_vary_and_the_baseline_takes_run_options) {
    const auto spec = parse_ok(R"({"baseline": {"top_k": 40, "seed": 7},
        "grid": {"seed": [1, 2], "num_predict": [-1, 256], "repeat_penalty": [1.0, 1.1], "top_p": [0.9]}})");
    EXPECT_EQ(spec.baseline.top_k, 40);
    EXPECT_EQ(spec.baseline.seed, 7);
    ASSERT_EQ(spec.grid.size(), 4u);
    EXPECT_EQ(spec.grid[0].option, "top_p");
    EXPECT_EQ(spec.grid[1].option, "repeat_penalty");
    EXPECT_EQ(spec.grid[2].option, "num_predict");
    EXPECT_EQ(spec.grid[3].option, "seed");
}

struct bad_case {
    std::string_view body;
    std::string_view field;
    std::string_view detail_part;
};

TEST(sweep_spec, refuses_bad_bodies_naming_the_field) {
    const bad_case cases[] = {
        {R"({"grid": {"num_gpu": [60]}, "colour": 1})", "colour", "unknown field"},
        {R"({"grid": {"num_gpu": [60]}, "model": 3})", "model", "string"},
        {R"({"grid": {"num_gpu": [60]}, "data_dir": ""})", "data_dir", "bytes"},
        {R"({"grid": {"num_gpu": [60]}, "label": []})", "label", "string"},
        {R"({"grid": {"num_gpu": [60]}, "baseline": {"top_k": 4000}})", "baseline.top_k", "0 to 1000"},
        {R"({"grid": {"num_gpu": [60]}, "baseline": {"mirostat": 1}})", "baseline.mirostat", "unknown field"},
        {R"({"grid": {"num_gpu": [60]}, "baseline": []})", "baseline", "object"},
        {R"({"grid": {"num_gpu": [60, 80.5]}})", "grid.num_gpu[1]", "integer"},
        {R"({"grid": {"temperature": [0.6, 9]}})", "grid.temperature[1]", "0 to 5"},
        {R"({"grid": {"num_ctx": [256, 512, 256]}})", "grid.num_ctx[2]", "repeats"},
        {R"({"grid": {"temperature": [1, 1.0]}})", "grid.temperature[1]", "repeats"},
        {R"({"grid": {"mirostat": [1]}})", "grid.mirostat[0]", "unknown option"},
        {R"({"grid": {"num_ctx": []}})", "grid.num_ctx", "non-empty array"},
        {R"({"grid": {"num_ctx": 256}})", "grid.num_ctx", "non-empty array"},
        {R"({"grid": {}})", "grid", "at least one option"},
        {R"({"grid": [1]})", "grid", "object"},
        {R"({"model": "gemma3:latest"})", "grid", "required"},
        {R"({"grid": {"num_gpu": [60]}, "repetitions": 0})", "repetitions", "1 to 100"},
        {R"({"grid": {"num_gpu": [60]}, "repetitions": 101})", "repetitions", "1 to 100"},
        {R"({"grid": {"num_gpu": [60]}, "repetitions": -3})", "repetitions", "1 to 100"},
        {R"({"grid": {"num_gpu": [60]}, "repetitions": 3.0})", "repetitions", "1 to 100"},
        {R"({"grid": {"num_gpu": [60]}, "repetitions": "3"})", "repetitions", "1 to 100"},
        {R"({"grid": {"num_gpu": [60]}, "cooldown_seconds": -1})", "cooldown_seconds", "0 to 3600"},
        {R"({"grid": {"num_gpu": [60]}, "cooldown_seconds": "5s"})", "cooldown_seconds", "0 to 3600"},
        {R"([1])", "", "object"},
        {R"({"grid": )", "", "malformed JSON"},
        {R"({"grid": {"backend": ["a", 3]}})", "grid.backend[1]", "string"},
        {R"({"grid": {"backend": ["a", ""]}})", "grid.backend[1]", "1 to 64"},
        {R"({"grid": {"backend": ["a", "b", "a"]}})", "grid.backend[2]", "repeats"},
        {R"({"grid": {"backend": []}})", "grid.backend", "non-empty array"},
        {R"({"grid": {"backend": "a"}})", "grid.backend", "non-empty array"},
        {R"({"grid": {"backend": ["a", "baseline"]}})", "grid.backend[1]", "labelled"},
        {R"({"grid": {"num_gpu": [60]}, "baseline": {"backend": 1}})", "baseline.backend", "string"},
        {R"({"grid": {"num_gpu": [60]}, "baseline": {"backend": "a", "top_k": -1}})", "baseline.top_k", "0 to 1000"},
        {"", "", "malformed JSON"},
    };
    for (const auto& c : cases) {
        const auto error = parse_error(c.body);
        EXPECT_EQ(error.field, c.field) << c.body;
        EXPECT_NE(error.detail.find(c.detail_part), std::string::npos) << c.body << " → " << error.detail;
    }
}

/// "[first,…,last]"
std::string integer_list(int first, int last) {
    std::string out = "[";
    for (int i = first; i <= last; ++i) {
        if (i > first) out += ',';
        out += std::to_string(i);
    }
    return out + "]";
}

TEST(sweep_spec, refuses_grids_expanding_past_the_run_limit) {
    // 100 × 100 configs × 1 repetition: 10001 runs with the baseline.
    const auto hundred = integer_list(1, 100);
    const auto error =
        parse_error(R"({"repetitions": 1, "grid": {"num_ctx": )" + hundred + R"(, "top_k": )" + hundred + "}}");
    EXPECT_EQ(error.field, "grid");
    EXPECT_NE(error.detail.find("10000"), std::string::npos);
    // 99 × 100 configs + the baseline = 9901 runs fit.
    const auto spec = parse_ok(R"({"repetitions": 1, "grid": {"num_ctx": )" + integer_list(1, 99) + R"(, "top_k": )" +
                               hundred + "}}");
    EXPECT_EQ(config_count(spec), 9900u);
}

TEST(sweep_spec, refuses_more_than_a_hundred_values_for_one_option) {
    const auto error = parse_error(R"({"grid": {"seed": )" + integer_list(0, 100) + "}}");
    EXPECT_EQ(error.field, "grid.seed");
    EXPECT_NE(error.detail.find("at most 100"), std::string::npos);
}

TEST(sweep_spec, the_backend_is_an_axis_and_the_baseline_may_name_one) {
    const auto spec = parse_ok(R"({"baseline": {"backend": "ollama-a", "temperature": 0.7},
        "grid": {"temperature": [0.6, 0.8], "backend": ["ollama-a", "llamacpp-b"]}})");
    EXPECT_EQ(spec.baseline_backend, "ollama-a");
    EXPECT_EQ(spec.baseline.temperature, 0.7);
    EXPECT_EQ(spec.backends, (std::vector<std::string>{"ollama-a", "llamacpp-b"}));  // the order given
    ASSERT_EQ(spec.grid.size(), 1u);                                                 // the option axes only
    EXPECT_EQ(spec.grid[0].option, "temperature");
    EXPECT_EQ(config_count(spec), 4u);

    const auto alone = parse_ok(R"({"grid": {"backend": ["x", "y", "z"]}, "repetitions": 2})");
    EXPECT_FALSE(alone.baseline_backend);
    EXPECT_TRUE(alone.grid.empty());
    EXPECT_EQ(config_count(alone), 3u);
}

TEST(sweep_spec, a_backend_named_baseline_is_fine_beside_an_option_axis) {
    // Its configs read "baseline_temp0.6": no clash with the baseline's label.
    EXPECT_EQ(config_count(parse_ok(R"({"grid": {"backend": ["baseline"], "temperature": [0.6]}})")), 1u);
}

TEST(sweep_spec, the_backend_axis_counts_towards_the_run_limit) {
    const auto error = parse_error(R"({"repetitions": 1, "grid": {"backend": ["a", "b"], "seed": )" +
                                   integer_list(1, 100) + R"(, "top_k": )" + integer_list(1, 50) + "}}");
    EXPECT_EQ(error.field, "grid");
}

}  // namespace
}  // namespace chimera::core
