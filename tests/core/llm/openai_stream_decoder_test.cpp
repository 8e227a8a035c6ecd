#include "chimera/core/llm/openai_stream_decoder.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

// Chunk shapes as llama.cpp's server (server-task.cpp, to_json_oaicompat_chat_stream) and vLLM
// (serving_completion) write them: llama.cpp ends a chat stream with a finish_reason chunk carrying
// `timings`, then usage; vLLM starts with an empty text and has usage but no timings.
constexpr std::string_view llama_cpp_chat =
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],"
    "\"created\":1,\"id\":\"chatcmpl-1\",\"model\":\"m\",\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"object\":\"chat."
    "completion.chunk\"}\n\n"
    ": ping\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"lo\"}}],\"object\":\"chat."
    "completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"object\":\"chat.completion.chunk\","
    "\"timings\":{\"cache_n\":0,\"prompt_n\":12,\"prompt_ms\":30.5,\"prompt_per_token_ms\":2.5,\"prompt_per_second\":"
    "393.4,\"predicted_n\":2,\"predicted_ms\":20.25,\"predicted_per_token_ms\":10.1,\"predicted_per_second\":98.7}}\n\n"
    "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2,\"prompt_tokens\":12,\"total_tokens\":14},\"object\":"
    "\"chat.completion.chunk\"}\n\n"
    "data: [DONE]\n\n";

constexpr std::string_view vllm_completions =
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
    "\"text\":\"\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}\n\n"
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
    "\"text\":\"Hi\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}\n\n"
    "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{"
    "\"prompt_tokens\":5,\"total_tokens\":6,\"completion_tokens\":1}}\n\n"
    "data: [DONE]\n\n";

std::vector<stream_event> decode(std::string_view body) {
    openai_stream_decoder decoder;
    std::vector<stream_event> events;
    decoder.feed(body, events);
    return events;
}

TEST(openai_stream_decoder, llama_cpp_chat_tokens_then_done_with_usage_and_timings) {
    const auto events = decode(llama_cpp_chat);
    ASSERT_EQ(events.size(), 3U) << "the role-only chunk is no token";
    EXPECT_EQ(events[0], stream_event{token_event{"Hel"}});
    EXPECT_EQ(events[1], stream_event{token_event{"lo"}});
    const auto& done = std::get<done_event>(events[2]);
    EXPECT_EQ(done.stats.done_reason, "stop");
    EXPECT_EQ(done.stats.eval_count, 2);
    EXPECT_EQ(done.stats.prompt_eval_count, 12);
    EXPECT_EQ(done.stats.eval_duration_ns, 20'250'000);
    EXPECT_EQ(done.stats.prompt_eval_duration_ns, 30'500'000);
    EXPECT_NEAR(done.stats.tokens_per_second(), 2 / 0.02025, 1e-9);
}

TEST(openai_stream_decoder, vllm_completions_role_chunk_is_empty_and_usage_has_no_timings) {
    const auto events = decode(vllm_completions);
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0], stream_event{token_event{""}}) << "empty: never the first token";
    EXPECT_EQ(events[1], stream_event{token_event{"Hi"}});
    const auto& done = std::get<done_event>(events[2]);
    EXPECT_EQ(done.stats.done_reason, "length");
    EXPECT_EQ(done.stats.eval_count, 1);
    EXPECT_EQ(done.stats.prompt_eval_count, 5);
    EXPECT_EQ(done.stats.eval_duration_ns, 0) << "no engine timings: the caller measures the decode";
}

TEST(openai_stream_decoder, both_styles_of_mid_stream_error) {
    const auto newer = decode(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
        "data: {\"error\":{\"code\":500,\"message\":\"out of memory\",\"type\":\"server_error\"}}\n\n");
    ASSERT_EQ(newer.size(), 2U);
    EXPECT_EQ(newer[1], stream_event{error_event{"out of memory"}});
    const auto older =
        decode("error: {\"code\":500,\"message\":\"slot gone\",\"type\":\"server_error\"}\n\ndata: [DONE]\n\n");
    ASSERT_EQ(older.size(), 2U);
    EXPECT_EQ(older[0], stream_event{error_event{"slot gone"}});
    const auto vllm_nested =
        decode("data: {\"error\":{\"object\":\"error\",\"message\":\"aborted\",\"code\":400}}\n\n");
    ASSERT_EQ(vllm_nested.size(), 1U);
    EXPECT_EQ(vllm_nested[0], stream_event{error_event{"aborted"}});
}

TEST(openai_stream_decoder, what_is_not_a_chunk_is_malformed_and_a_cut_body_has_no_done) {
    const auto events = decode("data: {not json\n\ndata: 42\n\ndata: {\"id\":\"x\"}\n\n");
    ASSERT_EQ(events.size(), 3U);
    for (const auto& event : events) EXPECT_TRUE(std::holds_alternative<malformed_event>(event));
    const auto cut = decode(std::string_view{llama_cpp_chat}.substr(0, llama_cpp_chat.size() - 16));
    EXPECT_FALSE(std::holds_alternative<done_event>(cut.back()));
}

TEST(openai_stream_decoder, bytes_split_anywhere_decode_the_same) {
    for (const auto body : {llama_cpp_chat, vllm_completions}) {
        const auto whole = decode(body);
        for (std::size_t split = 0; split <= body.size(); split += 7) {
            openai_stream_decoder decoder;
            std::vector<stream_event> events;
            decoder.feed(body.substr(0, split), events);
            decoder.feed(body.substr(split), events);
            EXPECT_EQ(events, whole) << "split at " << split;
        }
    }
}

}  // namespace
}  // namespace chimera::core
