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

#include "ndjson_line_decode.hpp"

namespace chimera::core::detail {
namespace {

/// The fast path may only ever agree with the nlohmann decoder: when it takes a line,
/// the reference must decode the same event from it. Returns whether it took the line.
bool agrees_with_dom(std::string_view line) {
    const auto fast = scan_line(line);
    if (!fast) return false;
    EXPECT_EQ(*fast, decode_line_dom(line)) << "the fast path read a line differently: " << line;
    return true;
}

std::string scanned(std::string_view line) {
    const auto event = scan_line(line);
    EXPECT_TRUE(event.has_value()) << line;
    EXPECT_TRUE(agrees_with_dom(line));
    const auto* token = event ? std::get_if<token_event>(&*event) : nullptr;
    EXPECT_NE(token, nullptr) << line;
    return token != nullptr ? token->text : std::string{};
}

done_event scanned_final(std::string_view line) {
    const auto event = scan_line(line);
    EXPECT_TRUE(event.has_value()) << line;
    EXPECT_TRUE(agrees_with_dom(line));
    const auto* done = event ? std::get_if<done_event>(&*event) : nullptr;
    EXPECT_NE(done, nullptr) << line;
    return done != nullptr ? *done : done_event{};
}

void falls_back(std::string_view line) { EXPECT_FALSE(scan_line(line).has_value()) << line; }

TEST(ndjson_line_scan, reads_ollamas_token_line) {
    EXPECT_EQ(
        scanned(R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.1Z","response":"Caf","done":false})"),
        "Caf");
    EXPECT_EQ(scanned(R"({"model":"m","created_at":"t","response":"","thinking":"hm","done":false})"), "");
}

TEST(ndjson_line_scan, key_order_and_whitespace_do_not_matter) {
    EXPECT_EQ(scanned(R"({"done":false,"response":"x","model":"m"})"), "x");
    EXPECT_EQ(scanned(" \t{ \"response\" :\r\"x\" ,\n\"done\"\t:  false } \t"), "x");
    EXPECT_EQ(scanned(R"({"response":"x","n":-12,"z":0,"b":true,"c":null,"done":false})"), "x");
}

TEST(ndjson_line_scan, unescapes_the_response) {
    EXPECT_EQ(scanned(R"({"response":"a\nb\"c\\d\/e\tf\rg\bh\fi","done":false})"), "a\nb\"c\\d/e\tf\rg\bh\fi");
    EXPECT_EQ(scanned(R"({"response":" \u003cok\u003E \u00e9\u901f","done":false})"), " <ok> \xC3\xA9\xE9\x80\x9F");
    EXPECT_EQ(scanned(R"({"response":"\ud83d\ude00","done":false})"), "\xF0\x9F\x98\x80");  // U+1F600, a pair
    EXPECT_EQ(scanned(R"({"response":"\u0000","done":false})"), std::string(1, '\0'));
    EXPECT_EQ(scanned(R"({"response":"é — 速度 😀","done":false})"), "é — 速度 😀");
}

TEST(ndjson_line_scan, a_response_key_inside_another_value_is_not_the_response) {
    EXPECT_EQ(scanned(R"({"model":"\"response\":\"fake\"","response":"real","done":false})"), "real");
    EXPECT_EQ(scanned(R"({"note":"\"done\":true","response":"r","done":false})"), "r");
}

TEST(ndjson_line_scan, reads_ollamas_final_line_past_its_context) {
    const auto done = scanned_final(
        R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.1Z","response":"","done":true,)"
        R"("done_reason":"stop","context":[104731, 112650,-3,0],"total_duration":6233295,"load_duration":590380,)"
        R"("prompt_eval_count":1,"prompt_eval_duration":597437,"eval_count":5,"eval_duration":5030095})");
    EXPECT_EQ(done.stats.done_reason, "stop");
    EXPECT_EQ(done.stats.total_duration_ns, 6233295);
    EXPECT_EQ(done.stats.load_duration_ns, 590380);
    EXPECT_EQ(done.stats.prompt_eval_count, 1);
    EXPECT_EQ(done.stats.prompt_eval_duration_ns, 597437);
    EXPECT_EQ(done.stats.eval_count, 5);
    EXPECT_EQ(done.stats.eval_duration_ns, 5030095);
    EXPECT_EQ(scanned_final(R"({"done":true,"response":"all at once","context":[]})").response, "all at once");
    EXPECT_EQ(scanned_final(R"({"done" : true , "eval_count" : -0})").stats.eval_count, 0);
    EXPECT_EQ(scanned_final(R"({"done":true,"eval_count":-123456789012345678})").stats.eval_count, -123456789012345678);
    EXPECT_EQ(scanned(R"({"response":"x","done":false,"context":[1,2]})"), "x");
}

TEST(ndjson_line_scan, leaves_final_lines_of_another_shape_to_nlohmann) {
    falls_back(R"({"done":true,"eval_count":"3"})");
    falls_back(R"({"done":true,"eval_count":1.5})");
    falls_back(R"({"done":true,"eval_count":null})");
    falls_back(R"({"done":true,"eval_count":1234567890123456789})");
    falls_back(R"({"done":true,"eval_count":1,"eval_count":2})");
    falls_back(R"({"done":true,"done_reason":1})");
    falls_back(R"({"done":true,"done_reason":"a","done_reason":"b"})");
    falls_back(R"({"done":true,"response":7})");
    falls_back(R"({"done":true,"context":[1,[2]]})");
    falls_back(R"({"done":true,"context":[1,2,]})");
    falls_back(R"({"done":true,"context":[1.5]})");
    falls_back(R"({"done":true,"context":[1,2})");
    falls_back(R"({"done":true,"context":["a"]})");
    falls_back(R"({"done":true,"error":"late"})");
}

TEST(ndjson_line_scan, leaves_error_and_unusual_lines_to_nlohmann) {
    falls_back(R"({"error":"boom","response":"x","done":false})");
    falls_back(R"({"response":"x","done":false,"o":{"a":1}})");
    falls_back(R"({"response":"x","done":false,"f":1.5})");
    falls_back(R"({"response":"x","done":false,"f":1e3})");
    falls_back(R"({"response":"x","done":false,"big":12345678901234567890})");
    falls_back(R"({"resp\u006fnse":"x","done":false})");  // an escaped key is still `response`
    falls_back(R"({"response":"a","response":"b","done":false})");
    falls_back(R"({"response":"x","done":false,"done":true})");
    falls_back("\xEF\xBB\xBF{\"response\":\"x\",\"done\":false}");  // a byte-order mark
}

TEST(ndjson_line_scan, leaves_ill_formed_lines_to_nlohmann) {
    for (const std::string_view line : {
             R"({"response":"x","done":false)",
             R"({"response":"x","done":false}})",
             R"({"response":"x","done":false} x)",
             R"({"response":"x","done":false,})",
             R"({"response":"x","done":"false"})",
             R"({"response":1,"done":false})",
             R"({"response":"x"})",
             R"({"done":false})",
             R"({})",
             R"({"response":"\ud83d","done":false})",
             R"({"response":"\ude00","done":false})",
             R"({"response":"\ud83d\u0041","done":false})",
             R"({"response":"\x","done":false})",
             R"({"response":"\u12G4","done":false})",
             R"({"response":"x","n":01,"done":false})",
             R"({"response":"x","n":-,"done":false})",
             R"({"response":"x","t":tru,"done":false})",
             R"({"response":"x","t":truex,"done":false})",
             R"({"response":"x","done":falsey})",
             "{\"response\":\"a\tb\",\"done\":false}",
             "{\"response\":\"\xff\xfe\",\"done\":false}",
             "{\"response\":\"\xC0\xAF\",\"done\":false}",      // an overlong '/'
             "{\"response\":\"\xED\xA0\x80\",\"done\":false}",  // an encoded surrogate
         }) {
        falls_back(line);
    }
}

/// Lines built from pieces that exercise every branch of the scanner, valid or not.
class line_generator {
public:
    explicit line_generator(std::uint32_t seed) : random_(seed) {}

    /// Half the lines use only well-formed pieces, so both outcomes are common.
    std::string line() {
        clean_ = below(2) == 0;
        const bool final_line = below(2) == 0;
        std::vector<std::string> members;
        if (!final_line || below(2) == 0) members.push_back(member("\"response\"", string_value()));
        members.push_back(
            member("\"done\"", clean_ ? (final_line ? "true" : "false") : pick({"false", "true", "\"false\"", "0"})));
        if (final_line) add_final_members(members);
        const auto extras = below(4);
        for (std::size_t i = 0; i < extras; ++i) members.push_back(member(key(), value()));
        std::shuffle(members.begin(), members.end(), random_);
        std::string out = space() + "{";
        for (std::size_t i = 0; i < members.size(); ++i) out += (i == 0 ? "" : space() + ",") + space() + members[i];
        out += space() + "}" + space();
        if (!clean_ && below(3) == 0) mutate(out);
        return out;
    }

private:
    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>{0, n - 1}(random_); }

    /// What a final line carries: its statistics and `context`, well-typed or not, some twice.
    void add_final_members(std::vector<std::string>& members) {
        for (const char* key : {"\"done_reason\"", "\"total_duration\"", "\"load_duration\"", "\"prompt_eval_count\"",
                                "\"prompt_eval_duration\"", "\"eval_count\"", "\"eval_duration\"", "\"context\""}) {
            const auto copies = clean_ ? below(2) : below(3);
            for (std::size_t i = 0; i < copies; ++i) members.push_back(member(key, final_value(key)));
        }
    }

    std::string final_value(std::string_view key) {
        if (!clean_ && below(3) == 0) return value();
        if (key == "\"done_reason\"") return pick({"\"stop\"", "\"length\"", "\"load\"", "\"\""});
        if (key == "\"context\"") return pick({"[]", "[104731,112650,120569]", "[ 1 , -2 ,0 ]", "[7]"});
        return pick({"0", "6233295", "-1", "123456789012345678", "-123456789012345678"});
    }

    std::string pick(std::initializer_list<const char*> options) { return *(options.begin() + below(options.size())); }

    std::string space() { return pick({"", "", "", " ", "\t", "\r", " \n "}); }

    std::string member(const std::string& name, const std::string& value) {
        return name + space() + ":" + space() + value;
    }

    std::string key() {
        if (clean_) return pick({"\"model\"", "\"created_at\"", "\"thinking\"", "\"\"", "\"k\xC3\xA9x\""});
        return pick({"\"model\"", "\"created_at\"", "\"thinking\"", "\"response\"", "\"done\"", "\"error\"",
                     "\"resp\\u006fnse\"", "\"\"", "\"k\xC3\xA9\"", "\"\\\"response\\\"\""});
    }

    std::string value() {
        if (clean_) {
            return below(2) == 0 ? string_value()
                                 : pick({"true", "false", "null", "0", "-7", "123456789012345678", "[]", "[1,-2]"});
        }
        switch (below(4)) {
            case 0:
                return string_value();
            case 1:
                return pick({"true", "false", "null", "0", "-7", "42", "-0", "1.5", "2e9", "01", "-", "nul"});
            case 2:
                return pick({"[1,2]", "{\"response\":\"inner\",\"done\":true}", "{}", "[]", "[1,]", "[,1]", "[1.5]",
                             "[[1]]", "[1 2]", "[\"a\"]", "[1234567890123456789]", "[-]", "[01]"});
            default:
                return pick({"1234567890123456789", "123456789012345678", "99999999999999999999"});
        }
    }

    std::string string_value() {
        std::string out = "\"";
        const auto pieces = below(6);
        for (std::size_t i = 0; i < pieces; ++i) {
            if (clean_) {
                out += pick({"a", "Hello", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0000",
                             "é", "速", "😀", "\\\"response\\\":\\\"fake\\\"", "\\\"done\\\":true"});
                continue;
            }
            out += pick({"a",
                         "Hello",
                         " ",
                         "\\n",
                         "\\\"",
                         "\\\\",
                         "\\/",
                         "\\t",
                         "\\b",
                         "\\f",
                         "\\r",
                         "\\u0041",
                         "\\u00e9",
                         "\\u20AC",
                         "\\ud83d\\ude00",
                         "\\ud83d",
                         "\\ude00",
                         "\\uD83D\\u0041",
                         "\\u0000",
                         "\\x",
                         "\\u12",
                         "é",
                         "速",
                         "😀",
                         "\xff",
                         "\xC0\xAF",
                         "\xED\xA0\x80",
                         "\t",
                         "\"response\":",
                         "\\\"done\\\":true"});
        }
        return out + "\"";
    }

    void mutate(std::string& line) {
        if (line.empty()) return;
        const auto at = below(line.size());
        switch (below(3)) {
            case 0:
                line.erase(at, 1);
                break;
            case 1:
                line.insert(at, 1, pick({"\"", "\\", ",", "}", "{", ":", " "})[0]);
                break;
            default:
                line.resize(at);
                break;
        }
    }

    std::mt19937 random_;
    bool clean_ = false;
};

TEST(ndjson_line_scan, agrees_with_nlohmann_on_generated_lines) {
    line_generator generate{20261127};
    std::size_t taken = 0;
    std::size_t final_lines = 0;
    // Under the sanitizers the point is memory safety on varied input, where a line costs a
    // hundred times more: a quarter of the lines is still 5,000 of each outcome at least.
    constexpr std::size_t lines = CHIMERA_SANITIZED_BUILD ? 50'000 : 200'000;
    for (std::size_t i = 0; i < lines; ++i) {
        const auto line = generate.line();
        if (!agrees_with_dom(line)) continue;
        ++taken;
        if (std::holds_alternative<done_event>(*scan_line(line))) ++final_lines;
    }
    // Every outcome must be common, or the comparison says little about one of them.
    EXPECT_GT(final_lines, lines / 20);
    EXPECT_GT(taken - final_lines, lines / 20);
    EXPECT_LT(taken, lines - lines / 20);
}

TEST(ndjson_line_scan, agrees_with_nlohmann_on_the_fuzz_corpus) {
    std::size_t lines = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator{CHIMERA_FUZZ_CORPUS_DIR}) {
        std::ifstream in{entry.path(), std::ios::binary};
        const std::string bytes{std::istreambuf_iterator<char>{in}, {}};
        std::string_view rest{bytes};
        while (!rest.empty()) {
            const auto newline = rest.find('\n');
            agrees_with_dom(rest.substr(0, newline));
            ++lines;
            rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        }
    }
    EXPECT_GT(lines, 0U);
}

}  // namespace
}  // namespace chimera::core::detail
