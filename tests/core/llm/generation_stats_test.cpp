#include "chimera/core/llm/generation_stats.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

TEST(generation_stats, tokens_per_second_is_eval_count_over_eval_duration) {
    generation_stats stats;
    stats.eval_count = 259;
    stats.eval_duration_ns = 4'232'710'000;  // the wire guide's example final chunk
    EXPECT_NEAR(stats.tokens_per_second(), 61.190, 0.001);
}

TEST(generation_stats, tokens_per_second_ignores_prompt_and_load_time) {
    generation_stats stats;
    stats.eval_count = 100;
    stats.eval_duration_ns = 1'000'000'000;
    stats.load_duration_ns = 5'000'000'000;
    stats.prompt_eval_duration_ns = 2'000'000'000;
    stats.total_duration_ns = 8'000'000'000;
    EXPECT_DOUBLE_EQ(stats.tokens_per_second(), 100.0);
}

TEST(generation_stats, tokens_per_second_is_zero_without_eval_duration) {
    generation_stats stats;
    stats.eval_count = 12;
    EXPECT_EQ(stats.tokens_per_second(), 0.0);
    stats.eval_duration_ns = -5;
    EXPECT_EQ(stats.tokens_per_second(), 0.0);
}

}  // namespace
}  // namespace chimera::core
