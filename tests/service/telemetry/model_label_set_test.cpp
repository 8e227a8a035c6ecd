#include "chimera/telemetry/model_label_set.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

TEST(model_label_set, allowed_models_are_their_own_label_and_others_are_other) {
    const model_label_set labels{{"gemma3:latest", "llama3.2:1b"}};
    EXPECT_EQ(labels.label_of("gemma3:latest"), "gemma3:latest");
    EXPECT_EQ(labels.label_of("llama3.2:1b"), "llama3.2:1b");
    EXPECT_EQ(labels.label_of("gemma3:1b"), "other");
    EXPECT_EQ(labels.label_of(""), "other");
}

// Routing takes "qwen2.5" for "qwen2.5:latest", as Ollama does: their calls share one series.
TEST(model_label_set, a_name_without_its_latest_tag_is_the_listed_models_label) {
    model_label_set labels{{"gemma3:latest"}};
    labels.learn({"qwen2.5", "llama3.2:1b"});
    EXPECT_EQ(labels.label_of("gemma3"), "gemma3:latest");
    EXPECT_EQ(labels.label_of("qwen2.5:latest"), "qwen2.5");
    EXPECT_EQ(labels.label_of("llama3.2"), "other") << "only :latest is implied";
    EXPECT_EQ(labels.label_of("gemma3:"), "other");
}

TEST(model_label_set, backend_listed_models_join_up_to_the_bound) {
    model_label_set labels{{"a"}, 3};
    labels.learn({"b", "c", "d", "e"});
    EXPECT_EQ(labels.size(), 3U);
    EXPECT_EQ(labels.label_of("b"), "b");
    EXPECT_EQ(labels.label_of("c"), "c");
    EXPECT_EQ(labels.label_of("d"), "other") << "past the bound";
    labels.learn({"b"});
    EXPECT_EQ(labels.size(), 3U) << "a name seen twice is one label";
}

TEST(model_label_set, names_no_backend_could_serve_never_become_labels) {
    model_label_set labels{{}, 10};
    labels.learn({"bad\rname", "new\nline", "bell\a", std::string(201, 'x'), "other", "ok:1b"});
    EXPECT_EQ(labels.size(), 1U);
    EXPECT_EQ(labels.label_of("bad\rname"), "other");
    EXPECT_EQ(labels.label_of("ok:1b"), "ok:1b");
}

TEST(model_label_set, operator_names_are_kept_even_beyond_the_bound) {
    const model_label_set labels{{"a", "b", "c"}, 2};
    EXPECT_EQ(labels.label_of("c"), "c");
}

}  // namespace
}  // namespace chimera::service
