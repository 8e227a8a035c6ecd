#include "chimera/core/llm/call_body.hpp"

#include <gtest/gtest.h>

#include "chimera/core/llm/generate_request.hpp"
#include "chimera/core/llm/openai_request.hpp"

namespace chimera::core {
namespace {

TEST(call_body, each_kind_gets_the_body_of_its_wire) {
    run_options options;
    options.temperature = 0.4;
    EXPECT_EQ(make_call_body(backend_kind::ollama, openai_api::chat, "m", "p", options),
              make_generate_body("m", "p", options));
    EXPECT_EQ(make_call_body(backend_kind::openai, openai_api::chat, "m", "p", options),
              make_chat_completion_body("m", "p", options));
    EXPECT_EQ(make_call_body(backend_kind::openai, openai_api::completions, "m", "p", options),
              make_completion_body("m", "p", options));
}

}  // namespace
}  // namespace chimera::core
