#include "chimera/core/llm/ndjson_stream_decoder.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace chimera::core {
namespace {

// A streamed reply as Ollama writes it (wire guide §1.4): one object per line, tokens that
// carry multi-byte characters, a thinking-only chunk with an empty response, then the final
// chunk with `context` and the six metrics in nanoseconds.
const std::string recorded_stream =
    R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.1Z","response":"Caf","done":false})"
    "\n"
    R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.2Z","response":"é — 速度","done":false})"
    "\n"
    R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.3Z","response":"","thinking":"hm","done":false})"
    "\n"
    R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.4Z","response":" \u003cok\u003e","done":false})"
    "\n"
    R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.5Z","response":"","done":true,)"
    R"("done_reason":"stop","context":[1,2,3],"total_duration":10706818083,"load_duration":6338219291,)"
    R"("prompt_eval_count":26,"prompt_eval_duration":130079000,"eval_count":259,"eval_duration":4232710000})"
    "\n";

/// Events as comparable text, so whole sequences can be compared in one assertion.
std::string describe(const stream_event& event) {
    if (const auto* token = std::get_if<token_event>(&event)) return "token:" + token->text;
    if (const auto* error = std::get_if<error_event>(&event)) return "error:" + error->message;
    if (const auto* bad = std::get_if<malformed_event>(&event)) return "malformed:" + bad->detail;
    const auto& done = std::get<done_event>(event);
    const auto& s = done.stats;
    return "done:" + s.done_reason + "/" + std::to_string(s.total_duration_ns) + "/" +
           std::to_string(s.load_duration_ns) + "/" + std::to_string(s.prompt_eval_count) + "/" +
           std::to_string(s.prompt_eval_duration_ns) + "/" + std::to_string(s.eval_count) + "/" +
           std::to_string(s.eval_duration_ns) + "/" + done.response;
}

std::vector<std::string> describe_all(const std::vector<stream_event>& events) {
    std::vector<std::string> out;
    for (const auto& event : events) out.push_back(describe(event));
    return out;
}

std::vector<std::string> decode_in_pieces(std::string_view body, std::size_t piece, std::size_t max_line = 16 << 20) {
    ndjson_stream_decoder decoder(max_line);
    std::vector<stream_event> events;
    for (std::size_t pos = 0; pos < body.size(); pos += piece) decoder.feed(body.substr(pos, piece), events);
    decoder.finish(events);
    return describe_all(events);
}

const std::vector<std::string> expected_events = {
    "token:Caf",
    "token:é — 速度",
    "token:",
    "token: <ok>",
    "done:stop/10706818083/6338219291/26/130079000/259/4232710000/",
};

TEST(ndjson_stream_decoder, decodes_a_recorded_stream_fed_whole) {
    EXPECT_EQ(decode_in_pieces(recorded_stream, recorded_stream.size()), expected_events);
}

TEST(ndjson_stream_decoder, byte_at_a_time_equals_whole_feeding) {
    // One byte per feed splits every UTF-8 character ("é", "—", "速", "度") across feeds.
    EXPECT_EQ(decode_in_pieces(recorded_stream, 1), expected_events);
}

TEST(ndjson_stream_decoder, any_chunk_size_gives_the_same_events) {
    for (const std::size_t piece : {2U, 3U, 7U, 64U, 4096U}) {
        EXPECT_EQ(decode_in_pieces(recorded_stream, piece), expected_events) << "piece size " << piece;
    }
}

TEST(ndjson_stream_decoder, several_objects_in_one_feed_and_a_line_split_across_two) {
    ndjson_stream_decoder decoder;
    std::vector<stream_event> events;
    decoder.feed("{\"response\":\"a\",\"done\":false}\n{\"response\":\"b\",\"done\":false}\n{\"resp", events);
    EXPECT_EQ(describe_all(events), (std::vector<std::string>{"token:a", "token:b"}));
    decoder.feed("onse\":\"c\",\"done\":false}\n", events);
    EXPECT_EQ(events.size(), 3U);
    EXPECT_EQ(describe(events.back()), "token:c");
}

TEST(ndjson_stream_decoder, skips_empty_lines_and_trailing_carriage_returns) {
    EXPECT_EQ(decode_in_pieces("\n\r\n{\"response\":\"x\",\"done\":false}\r\n\n", 5),
              (std::vector<std::string>{"token:x"}));
}

TEST(ndjson_stream_decoder, a_megabyte_context_line_decodes_to_one_done_event) {
    std::string context = "1";
    while (context.size() < (1U << 20)) context += ",123456";
    const std::string body = "{\"response\":\"hi\",\"done\":false}\n{\"response\":\"\",\"done\":true,\"context\":[" +
                             context + "],\"eval_count\":7,\"eval_duration\":1000000000}\n";
    const auto events = decode_in_pieces(body, 4096);
    EXPECT_EQ(events, (std::vector<std::string>{"token:hi", "done:/0/0/0/0/7/1000000000/"}));
}

TEST(ndjson_stream_decoder, an_overlong_line_is_reported_once_and_the_next_line_still_decodes) {
    const std::string long_line = "{\"response\":\"" + std::string(500, 'x') + "\",\"done\":false}\n";
    const std::string body = long_line + "{\"response\":\"ok\",\"done\":false}\n";
    for (const std::size_t piece : {std::size_t{1}, std::size_t{16}, body.size()}) {
        const auto events = decode_in_pieces(body, piece, 100);
        ASSERT_EQ(events.size(), 2U) << "piece size " << piece;
        EXPECT_EQ(events[0], "malformed:line longer than 100 bytes dropped");
        EXPECT_EQ(events[1], "token:ok");
    }
}

TEST(ndjson_stream_decoder, non_json_lines_are_malformed_with_a_short_excerpt) {
    const std::string garbage = "<html>" + std::string(300, 'z') + "</html>\n";
    const auto events = decode_in_pieces(garbage, garbage.size());
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].rfind("malformed:not valid JSON: <html>zzz", 0), 0U) << events[0];
    EXPECT_LT(events[0].size(), 120U);
}

TEST(ndjson_stream_decoder, objects_of_the_wrong_shape_are_malformed) {
    const auto events = decode_in_pieces(
        "[1,2]\n"
        "{\"response\":\"x\"}\n"
        "{\"done\":\"false\",\"response\":\"x\"}\n"
        "{\"done\":false}\n"
        "{\"done\":false,\"response\":42}\n"
        "{\"done\":true,\"eval_count\":\"259\"}\n"
        "{\"done\":true,\"eval_duration\":1.5}\n"
        "{\"done\":true,\"done_reason\":7}\n",
        1);
    ASSERT_EQ(events.size(), 8U);
    for (const auto& event : events) EXPECT_EQ(event.rfind("malformed:", 0), 0U) << event;
    EXPECT_NE(events[0].find("not a JSON object"), std::string::npos);
}

TEST(ndjson_stream_decoder, an_error_line_becomes_an_error_event) {
    const auto events = decode_in_pieces(
        "{\"response\":\"a\",\"done\":false}\n"
        "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n",
        3);
    EXPECT_EQ(events, (std::vector<std::string>{
                          "token:a", "error:an error was encountered while running the model: unexpected EOF"}));
}

TEST(ndjson_stream_decoder, a_stream_false_body_without_newline_is_decoded_by_finish) {
    ndjson_stream_decoder decoder;
    std::vector<stream_event> events;
    decoder.feed(R"({"model":"m","response":"Hello, world","done":true,"done_reason":"stop","eval_count":3})", events);
    EXPECT_TRUE(events.empty());
    decoder.finish(events);
    EXPECT_EQ(describe_all(events), (std::vector<std::string>{"done:stop/0/0/0/0/3/0/Hello, world"}));
}

TEST(ndjson_stream_decoder, a_load_only_reply_is_a_done_event_with_zero_stats) {
    const auto events = decode_in_pieces(
        R"({"model":"m","created_at":"2026-08-21T10:00:00Z","response":"","done":true,"done_reason":"load"})", 10);
    EXPECT_EQ(events, (std::vector<std::string>{"done:load/0/0/0/0/0/0/"}));
}

TEST(ndjson_stream_decoder, finish_without_a_tail_emits_nothing) {
    ndjson_stream_decoder decoder;
    std::vector<stream_event> events;
    decoder.feed("{\"response\":\"a\",\"done\":false}\n", events);
    decoder.finish(events);
    EXPECT_EQ(events.size(), 1U);
}

TEST(ndjson_stream_decoder, invalid_utf8_in_a_line_is_malformed_and_the_detail_is_valid_utf8) {
    const auto events = decode_in_pieces("{\"response\":\"\xff\xfe\",\"done\":false}\n", 4);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].rfind("malformed:not valid JSON", 0), 0U);
    EXPECT_NE(events[0].find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD instead of the raw bytes
}

}  // namespace
}  // namespace chimera::core
