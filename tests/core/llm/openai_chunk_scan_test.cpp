#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "chimera/core/llm/sse_event_decoder.hpp"
#include "openai_chunk_decode.hpp"

namespace chimera::core::detail {
namespace {

/// What decoding one chunk leaves: its events and the stream's stats after it.
struct chunk_outcome {
    std::vector<stream_event> events;
    generation_stats stats;
    bool operator==(const chunk_outcome&) const = default;
};

/// The fast path may only ever agree with the nlohmann decoder: when it takes a chunk, the
/// reference must leave the same events and stats. Returns whether it took the chunk.
bool chunk_agrees_with_dom(std::string_view data) {
    chunk_outcome fast;
    if (!scan_chunk(data, fast.stats, fast.events)) {
        EXPECT_TRUE(fast.events.empty() && fast.stats == generation_stats{}) << "changed something: " << data;
        return false;
    }
    chunk_outcome reference;
    decode_chunk_dom(data, reference.stats, reference.events);
    EXPECT_EQ(fast, reference) << "the fast path read a chunk differently: " << data;
    return true;
}

chunk_outcome scanned_chunk(std::string_view data) {
    chunk_outcome out;
    EXPECT_TRUE(scan_chunk(data, out.stats, out.events)) << data;
    EXPECT_TRUE(chunk_agrees_with_dom(data));
    return out;
}

std::vector<stream_event> token_events(std::initializer_list<const char*> texts) {
    std::vector<stream_event> out;
    for (const char* text : texts) out.emplace_back(token_event{text});
    return out;
}

void chunk_falls_back(std::string_view data) {
    generation_stats stats;
    std::vector<stream_event> events;
    EXPECT_FALSE(scan_chunk(data, stats, events)) << data;
}

TEST(openai_chunk_scan, reads_llama_cpps_chat_chunks) {
    EXPECT_EQ(
        scanned_chunk(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],)"
                      R"("created":1733300000,"id":"chatcmpl-x","model":"m","system_fingerprint":"b6097-9515c613",)"
                      R"("object":"chat.completion.chunk"})")
            .events,
        token_events({}));
    EXPECT_EQ(
        scanned_chunk(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":" Caf\u00e9"}}],"created":1,)"
                      R"("id":"chatcmpl-x","model":"m","object":"chat.completion.chunk"})")
            .events,
        token_events({" Café"}));
    const auto finish = scanned_chunk(R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1})");
    EXPECT_EQ(finish.events, token_events({}));
    EXPECT_EQ(finish.stats.done_reason, "stop");
}

TEST(openai_chunk_scan, reads_vllms_chunks) {
    EXPECT_EQ(
        scanned_chunk(R"({"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"m","choices":[)"
                      R"({"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],)"
                      R"("prompt_token_ids":null})")
            .events,
        token_events({""}));
    const auto last =
        scanned_chunk(R"({"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"m","choices":[)"
                      R"({"index":0,"delta":{"content":"end"},"logprobs":null,"finish_reason":"length",)"
                      R"("stop_reason":null}]})");
    EXPECT_EQ(last.events, token_events({"end"}));
    EXPECT_EQ(last.stats.done_reason, "length");
    EXPECT_EQ(
        scanned_chunk(R"({"id":"cmpl-x","object":"text_completion","created":1,"model":"m","choices":[{"index":0,)"
                      R"("text":"Hi","logprobs":null,"finish_reason":null,"stop_reason":null}]})")
            .events,
        token_events({"Hi"}));
}

TEST(openai_chunk_scan, a_delta_object_wins_over_text_and_only_the_first_choice_counts) {
    EXPECT_EQ(scanned_chunk(R"({"choices":[{"text":"t","delta":{"content":"d"}}]})").events, token_events({"d"}));
    EXPECT_EQ(scanned_chunk(R"({"choices":[{"delta":{},"text":"t"}]})").events, token_events({}));
    EXPECT_EQ(scanned_chunk(R"({"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}},7,[1]]})").events,
              token_events({"a"}));
    EXPECT_EQ(
        scanned_chunk(R"({"choices":[{"delta":{"content":"x","tool_calls":[{"id":"c","function":{"name":"f"}}]}}]})")
            .events,
        token_events({"x"}));
}

TEST(openai_chunk_scan, unescapes_the_content) {
    EXPECT_EQ(scanned_chunk(R"({"choices":[{"delta":{"content":"a\nb\"c\\d\/e\tf \ud83d\ude00 \u0000"}}]})").events,
              std::vector<stream_event>{token_event{std::string{"a\nb\"c\\d/e\tf \xF0\x9F\x98\x80 "} + '\0'}});
    EXPECT_EQ(scanned_chunk(" \n{ \"choices\" : [ { \"delta\" : { \"content\" : \"\xC3\xA9\" } } ] } \r\n").events,
              token_events({"\xC3\xA9"}));
}

TEST(openai_chunk_scan, leaves_the_end_errors_and_unusual_chunks_to_nlohmann) {
    chunk_falls_back(R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})");
    chunk_falls_back(R"({"choices":[{"delta":{}}],"usage":{"prompt_tokens":5}})");
    chunk_falls_back(R"({"choices":[{"finish_reason":"stop","delta":{}}],"timings":{"prompt_ms":30.5}})");
    chunk_falls_back(R"({"error":{"code":500,"message":"boom","type":"server_error"}})");
    chunk_falls_back(R"({"choices":[]})");
    chunk_falls_back(R"({"choices":[1]})");
    chunk_falls_back(R"({"choices":{"delta":{"content":"x"}}})");
    chunk_falls_back(R"({"model":"m"})");
    chunk_falls_back(R"({"choices":[{"delta":"x"}]})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":7}}]})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":"a","content":"b"}}]})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":"a"}}],"choices":[]})");
    chunk_falls_back(R"({"choices":[{"finish_reason":"stop","finish_reason":null}]})");
    chunk_falls_back(R"({"choices":[{"finish_reason":1}]})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":"x"}}],"score":0.5})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":"x"}}],"n":1e3})");
    chunk_falls_back(R"({"choices":[{"delta":{"content":"x"}}],"big":12345678901234567890})");
    chunk_falls_back(R"({"\u0063hoices":[{"delta":{"content":"x"}}]})");  // an escaped key is still `choices`
    chunk_falls_back(R"({"choices":[{"delta":{"content":"x"}}],"deep":[[[[[[[[[1]]]]]]]]]})");
    chunk_falls_back("\xEF\xBB\xBF{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}");  // a byte-order mark
}

TEST(openai_chunk_scan, leaves_ill_formed_chunks_to_nlohmann) {
    for (const std::string_view data : {
             R"({"choices":[{"delta":{"content":"x"}}])",
             R"({"choices":[{"delta":{"content":"x"}}]}})",
             R"({"choices":[{"delta":{"content":"x"}}]} x)",
             R"({"choices":[{"delta":{"content":"x"}},]})",
             R"({"choices":[{"delta":{"content":"x"}}],})",
             R"({"choices":[{"delta":{"content":"\ud83d"}}]})",
             R"({"choices":[{"delta":{"content":"\x"}}]})",
             R"({"choices":[{"delta":{"content":"x"}}],"n":01})",
             R"({"choices":[{"delta":{"content":"x"}}],"t":tru})",
             R"([DONE])",
             "",
             "{\"choices\":[{\"delta\":{\"content\":\"a\tb\"}}]}",
             "{\"choices\":[{\"delta\":{\"content\":\"\xff\"}}]}",
             "{\"choices\":[{\"delta\":{\"content\":\"\xED\xA0\x80\"}}]}",  // an encoded surrogate
             "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"m\":\"\xC0\xAF\"}",
         }) {
        chunk_falls_back(data);
    }
}

/// Chunks built from pieces that exercise every branch of the scanner, valid or not.
class chunk_generator {
public:
    explicit chunk_generator(std::uint32_t seed) : random_(seed) {}

    /// Half the chunks use only well-formed pieces, so both outcomes are common.
    std::string chunk() {
        clean_ = below(2) == 0;
        std::vector<std::string> members;
        const auto choices_copies = clean_ ? 1 : below(3);
        for (std::size_t i = 0; i < choices_copies; ++i) members.push_back(member("\"choices\"", choices()));
        const auto extras = below(5);
        for (std::size_t i = 0; i < extras; ++i) members.push_back(member(key(), value(2)));
        std::string out = object(members);
        if (!clean_ && below(3) == 0) mutate(out);
        return out;
    }

private:
    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>{0, n - 1}(random_); }

    std::string pick(std::initializer_list<const char*> options) { return *(options.begin() + below(options.size())); }

    std::string space() { return pick({"", "", "", " ", "\t", "\r", " \n "}); }

    std::string member(const std::string& name, const std::string& value) {
        return name + space() + ":" + space() + value;
    }

    std::string object(std::vector<std::string> members) {
        std::shuffle(members.begin(), members.end(), random_);
        std::string out = space() + "{";
        for (std::size_t i = 0; i < members.size(); ++i) out += (i == 0 ? "" : space() + ",") + space() + members[i];
        return out + space() + "}" + space();
    }

    std::string choices() {
        if (!clean_ && below(5) == 0) return value(2);
        std::string out = "[" + space() + choice();
        const auto more = below(3) == 0 ? below(3) : 0;
        for (std::size_t i = 0; i < more; ++i) out += "," + space() + (below(2) == 0 ? choice() : value(2));
        return out + space() + "]";
    }

    std::string choice() {
        if (!clean_ && below(6) == 0) return value(1);
        std::vector<std::string> members;
        for (const char* name : {"\"delta\"", "\"text\"", "\"finish_reason\""}) {
            const auto copies = clean_ ? below(2) : below(3);
            for (std::size_t i = 0; i < copies; ++i) {
                members.push_back(member(name, std::string_view{name} == "\"delta\"" ? delta() : string_or_null()));
            }
        }
        if (below(2) == 0) members.push_back(member("\"index\"", "0"));
        if (below(3) == 0) members.push_back(member(key(), value(1)));
        return object(members);
    }

    std::string delta() {
        if (!clean_ && below(5) == 0) return value(1);
        std::vector<std::string> members;
        const auto copies = clean_ ? below(2) : below(3);
        for (std::size_t i = 0; i < copies; ++i) members.push_back(member("\"content\"", string_or_null()));
        if (below(2) == 0) members.push_back(member("\"role\"", "\"assistant\""));
        if (below(4) == 0) members.push_back(member(key(), value(1)));
        return object(members);
    }

    std::string string_or_null() {
        if (below(4) == 0) return "null";
        if (!clean_ && below(4) == 0) return value(1);
        return string_value();
    }

    std::string key() {
        if (clean_) return pick({"\"id\"", "\"model\"", "\"created\"", "\"object\"", "\"\"", "\"k\xC3\xA9x\""});
        return pick({"\"id\"", "\"usage\"", "\"timings\"", "\"error\"", "\"choices\"", "\"\\u0063hoices\"", "\"\"",
                     "\"k\xC3\xA9\"", "\"delta\"", "\"content\""});
    }

    std::string value(int depth) {
        const auto kinds = depth > 0 ? 4U : 2U;
        switch (below(kinds)) {
            case 0:
                return string_value();
            case 1:
                if (clean_) return pick({"true", "false", "null", "0", "-7", "1733300000", "123456789012345678"});
                return pick(
                    {"true", "false", "null", "0", "-7", "1.5", "2e9", "01", "-", "nul", "1234567890123456789"});
            case 2: {
                std::string out = "[";
                const auto items = below(3);
                for (std::size_t i = 0; i < items; ++i) out += (i == 0 ? "" : ",") + value(depth - 1);
                if (!clean_ && below(6) == 0) out += ",";
                return out + "]";
            }
            default: {
                std::vector<std::string> members;
                const auto count = below(3);
                for (std::size_t i = 0; i < count; ++i) members.push_back(member(key(), value(depth - 1)));
                return object(members);
            }
        }
    }

    std::string string_value() {
        std::string out = "\"";
        const auto pieces = below(5);
        for (std::size_t i = 0; i < pieces; ++i) {
            if (clean_) {
                out += pick({"a", "Hello", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0000",
                             "é", "速", "😀", "\\\"content\\\":\\\"fake\\\""});
                continue;
            }
            out += pick({"a", "\\t", "\\u20AC", "\\ud83d", "\\ude00", "\\uD83D\\u0041", "\\x", "\\u12", "é", "\xff",
                         "\xC0\xAF", "\xED\xA0\x80", "\t", "\"content\":"});
        }
        return out + "\"";
    }

    void mutate(std::string& text) {
        if (text.empty()) return;
        const auto at = below(text.size());
        switch (below(3)) {
            case 0:
                text.erase(at, 1);
                break;
            case 1:
                text.insert(at, 1, pick({"\"", "\\", ",", "}", "{", ":", "[", "]"})[0]);
                break;
            default:
                text.resize(at);
                break;
        }
    }

    std::mt19937 random_;
    bool clean_ = false;
};

TEST(openai_chunk_scan, agrees_with_nlohmann_on_generated_chunks) {
    chunk_generator generate{20261204};
    std::size_t taken = 0;
    std::size_t with_token = 0;
    constexpr std::size_t chunks = CHIMERA_SANITIZED_BUILD ? 50'000 : 200'000;
    for (std::size_t i = 0; i < chunks; ++i) {
        const auto data = generate.chunk();
        if (!chunk_agrees_with_dom(data)) continue;
        ++taken;
        generation_stats stats;
        std::vector<stream_event> events;
        static_cast<void>(scan_chunk(data, stats, events));
        if (!events.empty()) ++with_token;
    }
    // Every outcome must be common, or the comparison says little about one of them.
    EXPECT_GT(with_token, chunks / 20);
    EXPECT_GT(taken - with_token, chunks / 20);
    EXPECT_LT(taken, chunks - chunks / 20);
}

TEST(openai_chunk_scan, agrees_with_nlohmann_on_the_fuzz_corpus) {
    std::size_t chunks = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator{CHIMERA_SSE_FUZZ_CORPUS_DIR}) {
        std::ifstream in{entry.path(), std::ios::binary};
        const std::string bytes{std::istreambuf_iterator<char>{in}, {}};
        sse_event_decoder framing;
        std::vector<sse_event> events;
        framing.feed(bytes, events);
        for (const auto& event : events) {
            chunk_agrees_with_dom(event.data);
            ++chunks;
        }
    }
    EXPECT_GT(chunks, 0U);
}

}  // namespace
}  // namespace chimera::core::detail
