#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ndjson_line_decode.hpp"

namespace chimera::core::detail {
namespace {

/// The fast paths' event for a line, when one of them takes the line.
std::optional<stream_event> fast_path(std::string_view line) {
    std::string text;
    if (scan_token_line(line, text)) return token_event{text};
    done_event done;
    if (scan_final_line(line, done)) return done;
    return std::nullopt;
}

bool same_stats(const generation_stats& a, const generation_stats& b) {
    return a.done_reason == b.done_reason && a.total_duration_ns == b.total_duration_ns &&
           a.load_duration_ns == b.load_duration_ns && a.prompt_eval_count == b.prompt_eval_count &&
           a.prompt_eval_duration_ns == b.prompt_eval_duration_ns && a.eval_count == b.eval_count &&
           a.eval_duration_ns == b.eval_duration_ns;
}

/// The fast path may only ever agree with the nlohmann decoder: when it takes a line,
/// the reference must see the same event, a token with the same text or a final line with
/// the same stats and response. Returns whether it took the line.
bool agrees_with_dom(std::string_view line) {
    const auto fast = fast_path(line);
    if (!fast) return false;
    const auto reference = decode_line_dom(line);
    if (const auto* token = std::get_if<token_event>(&*fast)) {
        const auto* expected = std::get_if<token_event>(&reference);
        EXPECT_NE(expected, nullptr) << "fast path took a line nlohmann does not read as a token: " << line;
        if (expected != nullptr) {
            EXPECT_EQ(expected->text, token->text) << line;
        }
        return true;
    }
    const auto& done = std::get<done_event>(*fast);
    const auto* expected = std::get_if<done_event>(&reference);
    EXPECT_NE(expected, nullptr) << "fast path took a line nlohmann does not read as final: " << line;
    if (expected != nullptr) {
        EXPECT_TRUE(same_stats(expected->stats, done.stats)) << line;
        EXPECT_EQ(expected->response, done.response) << line;
    }
    return true;
}

std::string scanned(std::string_view line) {
    const auto event = fast_path(line);
    EXPECT_TRUE(event && std::holds_alternative<token_event>(*event)) << line;
    EXPECT_TRUE(agrees_with_dom(line));
    return event ? std::get<token_event>(*event).text : std::string{};
}

done_event scanned_final(std::string_view line) {
    const auto event = fast_path(line);
    EXPECT_TRUE(event && std::holds_alternative<done_event>(*event)) << line;
    EXPECT_TRUE(agrees_with_dom(line));
    return event ? std::get<done_event>(*event) : done_event{};
}

void falls_back(std::string_view line) { EXPECT_FALSE(fast_path(line).has_value()) << line; }

TEST(ndjson_token_scan, reads_ollamas_token_line) {
    EXPECT_EQ(
        scanned(R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:00.1Z","response":"Caf","done":false})"),
        "Caf");
    EXPECT_EQ(scanned(R"({"model":"m","created_at":"t","response":"","thinking":"hm","done":false})"), "");
}

TEST(ndjson_token_scan, key_order_and_whitespace_do_not_matter) {
    EXPECT_EQ(scanned(R"({"done":false,"response":"x","model":"m"})"), "x");
    EXPECT_EQ(scanned(" \t{ \"response\" :\r\"x\" ,\n\"done\"\t:  false } \t"), "x");
    EXPECT_EQ(scanned(R"({"response":"x","n":-12,"z":0,"b":true,"c":null,"done":false})"), "x");
}

TEST(ndjson_token_scan, unescapes_the_response) {
    EXPECT_EQ(scanned(R"({"response":"a\nb\"c\\d\/e\tf\rg\bh\fi","done":false})"), "a\nb\"c\\d/e\tf\rg\bh\fi");
    EXPECT_EQ(scanned(R"({"response":" \u003cok\u003E \u00e9\u901f","done":false})"), " <ok> \xC3\xA9\xE9\x80\x9F");
    EXPECT_EQ(scanned(R"({"response":"\ud83d\ude00","done":false})"), "\xF0\x9F\x98\x80");  // U+1F600, a pair
    EXPECT_EQ(scanned(R"({"response":"\u0000","done":false})"), std::string(1, '\0'));
    EXPECT_EQ(scanned(R"({"response":"é — 速度 😀","done":false})"), "é — 速度 😀");
}

TEST(ndjson_token_scan, a_response_key_inside_another_value_is_not_the_response) {
    EXPECT_EQ(scanned(R"({"model":"\"response\":\"fake\"","response":"real","done":false})"), "real");
    EXPECT_EQ(scanned(R"({"note":"\"done\":true","response":"r","done":false})"), "r");
}

TEST(ndjson_token_scan, reads_ollamas_final_line) {
    const auto done = scanned_final(
        R"({"model":"gemma3:latest","created_at":"2026-08-21T10:00:01Z","response":"","done":true,)"
        R"("done_reason":"stop","context":[105, 2364,  107 ,0],"total_duration":2512345678,"load_duration":12345678,)"
        R"("prompt_eval_count":26,"prompt_eval_duration":45678901,"eval_count":290,"eval_duration":2450000000})");
    EXPECT_EQ(done.stats.done_reason, "stop");
    EXPECT_EQ(done.stats.total_duration_ns, 2512345678);
    EXPECT_EQ(done.stats.load_duration_ns, 12345678);
    EXPECT_EQ(done.stats.prompt_eval_count, 26);
    EXPECT_EQ(done.stats.prompt_eval_duration_ns, 45678901);
    EXPECT_EQ(done.stats.eval_count, 290);
    EXPECT_EQ(done.stats.eval_duration_ns, 2450000000);
    EXPECT_EQ(scanned_final(R"({"done":true})").stats.eval_count, 0);  // absent stats stay 0
    EXPECT_EQ(scanned_final(R"({"done":true,"response":"all\n","context":[]})").response, "all\n");
    EXPECT_EQ(scanned_final(R"({"done":true,"done_reason":"l\u006fad","eval_count":-0})").stats.done_reason, "load");
}

TEST(ndjson_token_scan, leaves_error_and_unusual_lines_to_nlohmann) {
    falls_back(R"({"response":"x","done":false,"context":[1,2]})");
    falls_back(R"({"error":"boom","response":"x","done":false})");
    falls_back(R"({"error":"boom","done":true})");
    falls_back(R"({"done":true,"eval_count":1.0})");
    falls_back(R"({"done":true,"eval_count":"3"})");
    falls_back(R"({"done":true,"eval_count":null})");
    falls_back(R"({"done":true,"eval_count":12345678901234567890})");
    falls_back(R"({"done":true,"eval_count":1,"eval_count":2})");
    falls_back(R"({"done":true,"done_reason":1})");
    falls_back(R"({"done":true,"response":null})");
    falls_back(R"({"done":true,"context":[1,[2]]})");
    falls_back(R"({"done":true,"context":[1,2.5]})");
    falls_back(R"({"done":true,"context":[1,]})");
    falls_back(R"({"done":true,"context":{}})");
    falls_back(R"({"response":"x","done":false,"o":{"a":1}})");
    falls_back(R"({"response":"x","done":false,"f":1.5})");
    falls_back(R"({"response":"x","done":false,"f":1e3})");
    falls_back(R"({"response":"x","done":false,"big":12345678901234567890})");
    falls_back(R"({"resp\u006fnse":"x","done":false})");  // an escaped key is still `response`
    falls_back(R"({"response":"a","response":"b","done":false})");
    falls_back(R"({"response":"x","done":false,"done":true})");
    falls_back("\xEF\xBB\xBF{\"response\":\"x\",\"done\":false}");  // a byte-order mark
}

TEST(ndjson_token_scan, leaves_ill_formed_lines_to_nlohmann) {
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
        std::vector<std::string> members;
        members.push_back(member("\"response\"", string_value()));
        members.push_back(
            member("\"done\"", clean_ ? pick({"false", "true"}) : pick({"false", "true", "\"false\"", "0"})));
        const auto extras = below(4);
        for (std::size_t i = 0; i < extras; ++i) members.push_back(member(key(), value()));
        const auto final_members = below(3);
        for (std::size_t i = 0; i < final_members; ++i) members.push_back(final_member());
        std::shuffle(members.begin(), members.end(), random_);
        std::string out = space() + "{";
        for (std::size_t i = 0; i < members.size(); ++i) out += (i == 0 ? "" : space() + ",") + space() + members[i];
        out += space() + "}" + space();
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

    std::string key() {
        if (clean_) return pick({"\"model\"", "\"created_at\"", "\"thinking\"", "\"\"", "\"k\xC3\xA9x\""});
        return pick({"\"model\"", "\"created_at\"", "\"thinking\"", "\"response\"", "\"done\"", "\"error\"",
                     "\"resp\\u006fnse\"", "\"\"", "\"k\xC3\xA9\"", "\"\\\"response\\\"\""});
    }

    /// A member of the final line: a stat, done_reason or context, well typed when clean.
    std::string final_member() {
        const auto name =
            pick({"\"total_duration\"", "\"load_duration\"", "\"prompt_eval_count\"", "\"prompt_eval_duration\"",
                  "\"eval_count\"", "\"eval_duration\"", "\"done_reason\"", "\"context\""});
        if (!clean_ && below(3) == 0) return member(name, value());
        if (name == "\"done_reason\"") return member(name, string_value());
        if (name == "\"context\"") return member(name, integer_array());
        return member(name, integer());
    }

    std::string integer() {
        if (clean_) return pick({"0", "-0", "7", "-12", "2512345678", "123456789012345678"});
        return pick({"0", "7", "1.5", "2e9", "01", "-", "1234567890123456789", "99999999999999999999"});
    }

    std::string integer_array() {
        if (!clean_ && below(3) == 0) return pick({"[1,]", "[,1]", "[1 2]", "[1,[2]]", "[1,2.5]", "[\"a\"]", "["});
        std::string out = "[";
        const auto ids = below(5);
        for (std::size_t i = 0; i < ids; ++i) out += (i == 0 ? "" : space() + ",") + space() + integer();
        return out + space() + "]";
    }

    std::string value() {
        if (clean_) {
            return below(2) == 0 ? string_value() : pick({"true", "false", "null", "0", "-7", "123456789012345678"});
        }
        switch (below(4)) {
            case 0:
                return string_value();
            case 1:
                return pick({"true", "false", "null", "0", "-7", "42", "-0", "1.5", "2e9", "01", "-", "nul"});
            case 2:
                return pick({"[1,2]", "{\"response\":\"inner\",\"done\":true}", "{}", "[]"});
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

TEST(ndjson_token_scan, agrees_with_nlohmann_on_generated_lines) {
    line_generator generate{20261127};
    std::size_t taken = 0;
    std::size_t finals = 0;
    constexpr std::size_t lines = 200000;
    for (std::size_t i = 0; i < lines; ++i) {
        const auto line = generate.line();
        if (!agrees_with_dom(line)) continue;
        ++taken;
        if (std::holds_alternative<done_event>(*fast_path(line))) ++finals;
    }
    // Every outcome must be common, or the comparison says little about one of them.
    EXPECT_GT(taken, lines / 20);
    EXPECT_LT(taken, lines - lines / 20);
    EXPECT_GT(finals, lines / 50);
    EXPECT_LT(finals, taken - lines / 50);
}

TEST(ndjson_token_scan, agrees_with_nlohmann_on_the_fuzz_corpus) {
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
