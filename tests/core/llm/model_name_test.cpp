#include "chimera/core/llm/model_name.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(model_name, a_name_without_a_tag_is_its_latest) {
    EXPECT_TRUE(same_model("qwen2.5", "qwen2.5:latest"));
    EXPECT_TRUE(same_model("qwen2.5:latest", "qwen2.5"));
    EXPECT_TRUE(same_model("gemma3:1b", "gemma3:1b"));
}

TEST(model_name, other_tags_are_models_of_their_own) {
    EXPECT_FALSE(same_model("llama3.2", "llama3.2:1b"));
    EXPECT_FALSE(same_model("gemma3:", "gemma3"));
    EXPECT_FALSE(same_model("gemma3:latest", "gemma3:1b"));
}

}  // namespace
}  // namespace chimera::core
