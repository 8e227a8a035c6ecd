#include "chimera/core/run/run_request.hpp"

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace chimera::core {
namespace {

run_request parse_ok(std::string_view body) {
    auto result = parse_run_request(body);
    if (const auto* error = std::get_if<request_error>(&result)) {
        ADD_FAILURE() << "unexpected error " << error->field << ": " << error->detail;
        return {};
    }
    return std::get<run_request>(std::move(result));
}

request_error parse_error(std::string_view body) {
    auto result = parse_run_request(body);
    if (std::holds_alternative<run_request>(result)) {
        ADD_FAILURE() << "accepted " << body;
        return {};
    }
    return std::get<request_error>(std::move(result));
}

TEST(run_request, a_number_out_of_range_is_a_400_naming_its_field) {
    for (const auto* body : {R"({"options":{"temperature":1e400}})", R"({"options":{"num_ctx":-1e400}})"}) {
        const auto error = parse_error(body);
        EXPECT_TRUE(error.field == "options.temperature" || error.field == "options.num_ctx") << error.field;
        EXPECT_NE(error.detail.find("is out of range"), std::string::npos) << error.detail;
    }
}

TEST(run_request, a_body_nested_deeper_than_the_limit_is_refused_before_a_document_is_built) {
    const std::string deep = R"({"options":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
    const auto error = parse_error(deep);
    EXPECT_EQ(error.detail, "nested deeper than 32 levels");
    EXPECT_EQ(
        error.field, "options" + [] {
            std::string path;
            for (int i = 0; i < 31; ++i) path += "[0]";  // the object and 31 arrays are 32 levels
            return path;
        }());
    // Thirty-two levels are within the limit (and the fields then are checked as usual).
    const auto at_limit = parse_error(R"({"options":)" + std::string(31, '[') + std::string(31, ']') + "}");
    EXPECT_EQ(at_limit.field, "options");
    EXPECT_EQ(at_limit.detail, "must be an object");
}

TEST(run_request, a_key_given_twice_is_a_400_naming_it_rather_than_a_guess) {
    const auto top = parse_error(R"({"model":"a","model":"b"})");
    EXPECT_EQ(top.field, "model");
    EXPECT_NE(top.detail.find("given twice"), std::string::npos) << top.detail;
    EXPECT_EQ(parse_error(R"({"options":{"seed":1,"seed":2}})").field, "options.seed");
    // The same key in two objects is no repetition.
    parse_ok(R"({"options":{"seed":1},"label":"seed"})");
}

TEST(run_request, an_empty_body_means_all_defaults) {
    const auto request = parse_ok("");
    EXPECT_FALSE(request.model);
    EXPECT_FALSE(request.data_dir);
    EXPECT_FALSE(request.label);
    EXPECT_TRUE(to_json(request.options).empty());
    EXPECT_FALSE(parse_ok("{}").model);
}

TEST(run_request, parses_every_field) {
    const auto request = parse_ok(R"({
        "model": "gemma3:latest", "data_dir": "/data/tr109", "label": "gpu80 ctx512",
        "options": {"num_gpu": 80, "num_ctx": 512, "temperature": 0.8, "top_p": 0.9, "top_k": 40,
                    "repeat_penalty": 1.1, "num_predict": -1, "seed": -42}})");
    EXPECT_EQ(request.model, "gemma3:latest");
    EXPECT_EQ(request.data_dir, "/data/tr109");
    EXPECT_EQ(request.label, "gpu80 ctx512");
    const auto& o = request.options;
    EXPECT_EQ(o.num_gpu, 80);
    EXPECT_EQ(o.num_ctx, 512);
    EXPECT_EQ(o.temperature, 0.8);
    EXPECT_EQ(o.top_p, 0.9);
    EXPECT_EQ(o.top_k, 40);
    EXPECT_EQ(o.repeat_penalty, 1.1);
    EXPECT_EQ(o.num_predict, -1);
    EXPECT_EQ(o.seed, -42);
}

TEST(run_request, numbers_accept_integers_but_integers_reject_fractions) {
    EXPECT_EQ(parse_ok(R"({"options":{"temperature":1}})").options.temperature, 1.0);
    const auto error = parse_error(R"({"options":{"num_ctx":1.5}})");
    EXPECT_EQ(error.field, "options.num_ctx");
    EXPECT_EQ(error.detail, "must be an integer");
}

TEST(run_request, unknown_fields_are_named) {
    auto error = parse_error(R"({"options":{"foo":1}})");
    EXPECT_EQ(error.field, "options.foo");
    EXPECT_EQ(error.detail, "unknown field");
    error = parse_error(R"({"model":"m","stream":false})");
    EXPECT_EQ(error.field, "stream");
    EXPECT_EQ(error.detail, "unknown field");
}

struct rejected_case {
    const char* body;
    const char* field;
};

TEST(run_request, rejects_wrong_types_and_out_of_range_values) {
    const rejected_case cases[] = {
        {R"({"model":""})", "model"},
        {R"({"model":7})", "model"},
        {R"({"model":null})", "model"},
        {R"({"data_dir":""})", "data_dir"},
        {R"({"data_dir":"a\u0000b"})", "data_dir"},
        {R"({"label":false})", "label"},
        {R"({"options":[]})", "options"},
        {R"({"options":{"num_gpu":-1}})", "options.num_gpu"},
        {R"({"options":{"num_ctx":0}})", "options.num_ctx"},
        {R"({"options":{"num_ctx":1048577}})", "options.num_ctx"},
        {R"({"options":{"temperature":5.01}})", "options.temperature"},
        {R"({"options":{"temperature":"0.7"}})", "options.temperature"},
        {R"({"options":{"top_p":-0.1}})", "options.top_p"},
        {R"({"options":{"top_k":1001}})", "options.top_k"},
        {R"({"options":{"repeat_penalty":10.5}})", "options.repeat_penalty"},
        {R"({"options":{"num_predict":-2}})", "options.num_predict"},
        {R"({"options":{"seed":18446744073709551615}})", "options.seed"},
        {R"({"options":{"seed":true}})", "options.seed"},
    };
    for (const auto& c : cases) {
        const auto error = parse_error(c.body);
        EXPECT_EQ(error.field, c.field) << c.body;
        EXPECT_FALSE(error.detail.empty()) << c.body;
    }
}

TEST(run_request, accepts_the_range_limits) {
    const auto request = parse_ok(R"({"model":")" + std::string(200, 'm') + R"(","label":")" + std::string(200, 'l') +
                                  R"(","data_dir":")" + std::string(4096, 'd') +
                                  R"(","options":{"num_gpu":0,"num_ctx":1048576,"temperature":5,"top_p":0,)"
                                  R"("top_k":1000,"repeat_penalty":10,"num_predict":1048576,)"
                                  R"("seed":-9223372036854775808}})");
    EXPECT_EQ(request.options.num_ctx, 1048576);
    EXPECT_EQ(request.options.seed, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(parse_error(R"({"model":")" + std::string(201, 'm') + "\"}").field, "model");
    EXPECT_EQ(parse_error(R"({"data_dir":")" + std::string(4097, 'd') + "\"}").field, "data_dir");
}

TEST(run_request, lengths_count_characters_not_bytes) {
    std::string label;
    for (int i = 0; i < 200; ++i) label += "é";
    EXPECT_EQ(parse_ok(R"({"label":")" + label + "\"}").label, label);
    EXPECT_EQ(parse_error(R"({"label":")" + label + "é\"}").field, "label");
}

TEST(run_request, malformed_json_reports_nlohmann_position) {
    const auto error = parse_error(R"({"model": "m",)");
    EXPECT_EQ(error.field, "");
    EXPECT_NE(error.detail.find("malformed JSON"), std::string::npos) << error.detail;
    EXPECT_NE(error.detail.find("column 15"), std::string::npos) << error.detail;
}

TEST(run_request, the_body_must_be_an_object) {
    for (const char* body : {"[]", "\"model\"", "42", "null"}) {
        const auto error = parse_error(body);
        EXPECT_EQ(error.field, "") << body;
        EXPECT_EQ(error.detail, "body must be a JSON object") << body;
    }
}

TEST(run_request, to_json_emits_only_the_set_options) {
    run_options options;
    EXPECT_EQ(to_json(options), nlohmann::json::object());
    options.num_ctx = 1024;
    options.temperature = 0.6;
    EXPECT_EQ(to_json(options), (nlohmann::json{{"num_ctx", 1024}, {"temperature", 0.6}}));
}

TEST(run_request, options_round_trip_through_to_json) {
    const auto request = parse_ok(R"({"options":{"num_gpu":60,"top_p":0.9,"seed":7}})");
    const auto again = parse_ok(nlohmann::json{{"options", to_json(request.options)}}.dump());
    EXPECT_EQ(to_json(again.options), to_json(request.options));
    EXPECT_EQ(to_json(again.options).size(), 3U);
}

TEST(run_request, accepts_the_api_example) {
    const auto request = parse_ok(test::read_text(test::api_dir() / "examples" / "run_request.json"));
    EXPECT_EQ(request.model, "gemma3:latest");
    EXPECT_EQ(to_json(request.options).size(), 8U);
}

TEST(run_request, rejects_the_api_invalid_examples) {
    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(test::api_dir() / "examples" / "invalid")) {
        const auto name = entry.path().filename().string();
        // Whether data_dir is absolute or escapes the data root is decided by the service, which knows the root.
        if (name.rfind("run_request.", 0) != 0 || name == "run_request.absolute_data_dir.json") continue;
        EXPECT_TRUE(std::holds_alternative<request_error>(parse_run_request(test::read_text(entry.path())))) << name;
        ++checked;
    }
    EXPECT_GE(checked, 9U);
}

}  // namespace
}  // namespace chimera::core
