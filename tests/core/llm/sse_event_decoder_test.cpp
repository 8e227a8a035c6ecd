#include "chimera/core/llm/sse_event_decoder.hpp"

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

std::vector<sse_event> decode_whole(std::string_view body, std::size_t limit = 1 << 20) {
    sse_event_decoder decoder{limit};
    std::vector<sse_event> events;
    decoder.feed(body, events);
    decoder.finish();
    return events;
}

/// The same body fed one byte at a time.
std::vector<sse_event> decode_bytewise(std::string_view body, std::size_t limit = 1 << 20) {
    sse_event_decoder decoder{limit};
    std::vector<sse_event> events;
    for (const char c : body) decoder.feed(std::string_view{&c, 1}, events);
    decoder.finish();
    return events;
}

TEST(sse_event_decoder, data_lines_end_at_a_blank_line_and_join_with_line_feeds) {
    const auto events = decode_whole("data: {\"a\":1}\n\ndata: one\ndata:two\n\n");
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0], (sse_event{"", "{\"a\":1}", false}));
    EXPECT_EQ(events[1].data, "one\ntwo") << "one leading space is stripped, no more";
}

TEST(sse_event_decoder, comments_ids_and_retries_are_skipped_and_event_types_kept) {
    const auto events = decode_whole(": ping\n\nid: 7\nretry: 100\nevent: update\ndata: x\n\n:\n\n");
    ASSERT_EQ(events.size(), 1U) << "a comment alone dispatches nothing";
    EXPECT_EQ(events[0].type, "update");
    EXPECT_EQ(events[0].data, "x");
}

TEST(sse_event_decoder, every_line_ending_is_one) {
    const std::string body = "data: a\r\n\r\ndata: b\r\rdata: c\n\n";
    const auto events = decode_whole(body);
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0].data, "a");
    EXPECT_EQ(events[1].data, "b");
    EXPECT_EQ(events[2].data, "c");
    EXPECT_EQ(decode_bytewise(body), events) << "a CR and its LF in different reads are one line end";
}

TEST(sse_event_decoder, an_event_without_its_blank_line_is_discarded_at_the_end) {
    EXPECT_TRUE(decode_whole("data: cut").empty());
    EXPECT_TRUE(decode_whole("data: cut\n").empty());
}

TEST(sse_event_decoder, an_error_line_of_older_llama_cpp_is_an_error_event) {
    const auto events = decode_whole("error: {\"code\":500,\"message\":\"boom\"}\n\ndata: [DONE]\n\n");
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].type, "error");
    EXPECT_EQ(events[0].data, "{\"code\":500,\"message\":\"boom\"}");
}

TEST(sse_event_decoder, an_event_past_the_limit_is_reported_and_the_stream_goes_on) {
    const std::string body = "data: " + std::string(100, 'x') + "\n\ndata: next\n\n";
    for (const auto& events : {decode_whole(body, 64), decode_bytewise(body, 64)}) {
        ASSERT_EQ(events.size(), 2U);
        EXPECT_TRUE(events[0].too_large);
        EXPECT_TRUE(events[0].data.empty());
        EXPECT_EQ(events[1], (sse_event{"", "next", false}));
    }
}

TEST(sse_event_decoder, splitting_anywhere_changes_nothing) {
    const std::string body =
        ": ping\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"h\xc3\xa9\"}}]}\r\n\r\nevent: e\ndata: 1\ndata: "
        "2\n\ndata: [DONE]\n\n";
    const auto whole = decode_whole(body);
    ASSERT_EQ(whole.size(), 3U);
    for (std::size_t split = 0; split <= body.size(); ++split) {
        sse_event_decoder decoder;
        std::vector<sse_event> events;
        decoder.feed(std::string_view{body}.substr(0, split), events);
        decoder.feed(std::string_view{body}.substr(split), events);
        EXPECT_EQ(events, whole) << "split at " << split;
    }
    EXPECT_EQ(decode_bytewise(body), whole);
}

}  // namespace
}  // namespace chimera::core
