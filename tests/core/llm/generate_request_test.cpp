#include "chimera/core/llm/generate_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::core {
namespace {

TEST(generate_request, streams_and_omits_options_when_none_are_set) {
    const auto body = nlohmann::json::parse(make_generate_body("gemma3:latest", "Analyse this", {}));
    EXPECT_EQ(body, (nlohmann::json{{"model", "gemma3:latest"}, {"prompt", "Analyse this"}, {"stream", true}}));
}

TEST(generate_request, carries_the_set_options) {
    run_options options;
    options.num_gpu = 80;
    options.num_ctx = 512;
    options.temperature = 0.8;
    const auto body = nlohmann::json::parse(make_generate_body("m", "p", options));
    EXPECT_EQ(body.at("options"), (nlohmann::json{{"num_gpu", 80}, {"num_ctx", 512}, {"temperature", 0.8}}));
    EXPECT_TRUE(body.at("stream").get<bool>());
}

TEST(generate_request, escapes_the_prompt_and_survives_invalid_utf8) {
    const std::string prompt = "line \"one\"\nfile: bad\xff name — ok";
    const auto text = make_generate_body("m", prompt, {});
    const auto body = nlohmann::json::parse(text);
    EXPECT_EQ(body.at("prompt"), "line \"one\"\nfile: bad\xEF\xBF\xBD name — ok");
}

}  // namespace
}  // namespace chimera::core
