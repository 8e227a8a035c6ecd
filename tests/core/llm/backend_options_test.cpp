#include "chimera/core/llm/backend_options.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

run_options every_option() {
    run_options options;
    options.num_gpu = 80;
    options.num_ctx = 2048;
    options.temperature = 0.6;
    options.top_p = 0.9;
    options.top_k = 40;
    options.repeat_penalty = 1.1;
    options.num_predict = 128;
    options.seed = 7;
    return options;
}

TEST(backend_options, ollama_takes_every_option) {
    EXPECT_TRUE(options_unsupported_by(backend_kind::ollama, every_option()).empty());
}

TEST(backend_options, an_openai_backend_refuses_the_load_time_settings_and_repeat_penalty_in_order) {
    EXPECT_EQ(options_unsupported_by(backend_kind::openai, every_option()),
              (std::vector<std::string_view>{"num_gpu", "num_ctx", "repeat_penalty"}));
}

TEST(backend_options, an_openai_backend_takes_the_sampling_options) {
    run_options options;
    options.temperature = 0.2;
    options.top_p = 0.5;
    options.top_k = 0;
    options.seed = 1;
    options.num_predict = -1;
    EXPECT_TRUE(options_unsupported_by(backend_kind::openai, options).empty());
}

TEST(backend_options, only_the_options_that_are_set_count) {
    run_options options;
    options.num_ctx = 512;
    EXPECT_EQ(options_unsupported_by(backend_kind::openai, options), (std::vector<std::string_view>{"num_ctx"}));
    EXPECT_TRUE(options_unsupported_by(backend_kind::openai, {}).empty());
}

}  // namespace
}  // namespace chimera::core
