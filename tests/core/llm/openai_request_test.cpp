#include "chimera/core/llm/openai_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::core {
namespace {

using json = nlohmann::json;

TEST(openai_request, streams_the_prompt_as_one_user_message_and_asks_for_usage) {
    const auto body = json::parse(make_chat_completion_body("qwen2.5", "Analyse this", {}));
    EXPECT_EQ(body, (json{{"model", "qwen2.5"},
                          {"messages", json::array({{{"role", "user"}, {"content", "Analyse this"}}})},
                          {"stream", true},
                          {"stream_options", {{"include_usage", true}}}}));
}

TEST(openai_request, maps_the_options_to_the_engines_names) {
    run_options options;
    options.temperature = 0.6;
    options.top_p = 0.9;
    options.top_k = 40;
    options.seed = 42;
    options.num_predict = 256;
    const auto body = json::parse(make_chat_completion_body("m", "p", options));
    EXPECT_EQ(body.at("temperature"), 0.6);
    EXPECT_EQ(body.at("top_p"), 0.9);
    EXPECT_EQ(body.at("top_k"), 40);
    EXPECT_EQ(body.at("seed"), 42);
    EXPECT_EQ(body.at("max_tokens"), 256);
    EXPECT_FALSE(body.contains("options")) << "no Ollama-style options object";
    EXPECT_FALSE(body.contains("num_predict"));
}

TEST(openai_request, ollamas_unlimited_num_predict_leaves_max_tokens_out) {
    run_options options;
    options.num_predict = -1;
    const auto body = json::parse(make_chat_completion_body("m", "p", options));
    EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(openai_request, escapes_the_prompt_and_survives_invalid_utf8) {
    const auto body = json::parse(make_chat_completion_body("m", "say \"hi\"\nbad\xff byte", {}));
    EXPECT_EQ(body.at("messages")[0].at("content"), "say \"hi\"\nbad\xEF\xBF\xBD byte");
}

TEST(openai_request, text_completions_send_the_prompt_as_it_is_with_the_same_options) {
    run_options options;
    options.temperature = 0.6;
    options.num_predict = 64;
    const auto body = json::parse(make_completion_body("base-model", "Once upon", options));
    EXPECT_EQ(body, (json{{"model", "base-model"},
                          {"prompt", "Once upon"},
                          {"stream", true},
                          {"stream_options", {{"include_usage", true}}},
                          {"temperature", 0.6},
                          {"max_tokens", 64}}));
}

}  // namespace
}  // namespace chimera::core
