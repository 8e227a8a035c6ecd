// The service's log as an operator's collector sees it: stderr of a real process.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in{path};
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

/// Every line parsed; a line that is not a JSON object fails the test with the line.
std::vector<json> parse_json_lines(const std::vector<std::string>& lines) {
    std::vector<json> parsed;
    for (const auto& line : lines) {
        auto value = json::parse(line, nullptr, false);
        EXPECT_TRUE(value.is_object()) << "not a JSON object: " << line;
        if (value.is_object()) {
            parsed.push_back(std::move(value));
        }
    }
    return parsed;
}

std::vector<json> access_lines(const std::vector<json>& lines, const std::string& method, const std::string& path) {
    std::vector<json> matching;
    std::copy_if(lines.begin(), lines.end(), std::back_inserter(matching), [&](const json& line) {
        return line.at("msg") == "access" && line.at("method") == method && line.at("path") == path;
    });
    return matching;
}

TEST(Logs, JsonLinesWithOneAccessLinePerRequestAndTheRunIdOnEveryLineOfTheRun) {
    temp_dir logs;
    const auto log_file = logs.path() / "service.log";
    service_stack s{{}, {}, log_file};
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
    }
    ASSERT_EQ(http_request(s.port, "GET", "/nope?secret=1").status, 404U);
    const auto id = s.submit({{"data_dir", "tr109"}});
    ASSERT_EQ(s.wait_finished(id).at("status"), "succeeded");
    ASSERT_EQ(http_request(s.port, "GET", "/runs/" + id + "/report").status, 200U);
    s.service.terminate();  // every line written and complete before reading

    const auto lines = parse_json_lines(read_lines(log_file));
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_TRUE(line.contains("ts") && line.contains("level") && line.contains("msg")) << line;
    }
    const auto health = access_lines(lines, "GET", "/healthz");
    ASSERT_EQ(health.size(), 3U);
    for (const auto& line : health) {
        EXPECT_EQ(line.at("status"), 200);
        EXPECT_GT(line.at("bytes").get<int>(), 0);
        EXPECT_GE(line.at("duration_ms").get<double>(), 0.0);
        EXPECT_EQ(line.at("remote"), "127.0.0.1") << line;
        EXPECT_EQ(line.at("peer").get<std::string>().rfind("127.0.0.1:", 0), 0U) << line;
        EXPECT_EQ(line.at("request_id").get<std::string>().size(), 32U) << "generated: " << line;
    }
    const auto not_found = access_lines(lines, "GET", "/nope");
    ASSERT_EQ(not_found.size(), 1U) << "the query string stays out of the log";
    EXPECT_EQ(not_found[0].at("status"), 404);
    const auto posted = access_lines(lines, "POST", "/runs");
    ASSERT_EQ(posted.size(), 1U);
    EXPECT_EQ(posted[0].at("status"), 202);
    ASSERT_EQ(access_lines(lines, "GET", "/runs/" + id + "/report").size(), 1U);
    EXPECT_GE(access_lines(lines, "GET", "/runs/" + id).size(), 1U);

    std::set<std::string> stages;
    for (const auto& line : lines) {
        if (line.value("run_id", "") == id) {
            stages.insert(line.at("stage").get<std::string>());
        }
    }
    EXPECT_EQ(stages, (std::set<std::string>{"queued", "ingest", "analysis", "report", "done"}));
    const auto end =
        std::find_if(lines.begin(), lines.end(), [&](const json& l) { return l.at("msg") == "run succeeded"; });
    ASSERT_NE(end, lines.end());
    EXPECT_EQ(end->at("run_id"), id);
}

// Issue 16, item 8: a request id the client sends is echoed, kept in the run document and
// logged on every line of the request and of the run it created; one it does not send (or
// sends malformed) is generated.
TEST(Logs, TheRequestIdIsEchoedKeptWithTheRunAndOnEveryLineOfIt) {
    temp_dir logs;
    const auto log_file = logs.path() / "service.log";
    service_stack s{{}, {}, log_file};
    const std::string request_id = "req-7f3a:c0ffee/1";
    const auto reply = http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})", {{"X-Request-Id", request_id}});
    ASSERT_EQ(reply.status, 202U) << reply.body;
    EXPECT_EQ(reply.headers.at("x-request-id"), request_id);
    const auto id = json::parse(reply.body).at("id").get<std::string>();
    const auto run = s.wait_finished(id);
    EXPECT_EQ(run.at("status"), "succeeded");
    EXPECT_EQ(run.at("request_id"), request_id);

    const auto generated = http_request(s.port, "GET", "/healthz", {}, {{"X-Request-Id", "has spaces in it"}});
    const auto& fresh = generated.headers.at("x-request-id");
    EXPECT_EQ(fresh.size(), 32U) << "a malformed id is replaced: " << fresh;
    EXPECT_EQ(fresh.find_first_not_of("0123456789abcdef"), std::string::npos) << fresh;
    EXPECT_EQ(http_request(s.port, "GET", "/healthz", {}, {{"X-Request-Id", "a"}}).headers.at("x-request-id"), "a");
    s.service.terminate();

    const auto lines = parse_json_lines(read_lines(log_file));
    std::size_t run_lines = 0;
    for (const auto& line : lines) {
        if (line.value("run_id", "") != id) continue;
        ++run_lines;
        EXPECT_EQ(line.value("request_id", ""), request_id) << line;
    }
    EXPECT_GE(run_lines, 5U) << "queued, three stages started, run succeeded";
    const auto posted = access_lines(lines, "POST", "/runs");
    ASSERT_EQ(posted.size(), 1U);
    EXPECT_EQ(posted[0].at("request_id"), request_id);
}

// X-Forwarded-For names the client only when a trusted proxy sent it.
TEST(Logs, ForwardedForIsBelievedFromTrustedProxiesOnly) {
    const std::map<std::string, std::string> forwarded{{"X-Forwarded-For", "203.0.113.7, 127.0.0.9"}};
    temp_dir logs;
    const auto trusted_log = logs.path() / "trusted.log";
    {
        service_stack s{{}, {"--trusted-proxy", "127.0.0.0/8"}, trusted_log};
        ASSERT_EQ(http_request(s.port, "GET", "/healthz", {}, forwarded).status, 200U);
        s.service.terminate();
    }
    const auto untrusted_log = logs.path() / "untrusted.log";
    {
        service_stack s{{}, {"--trusted-proxy", "10.0.0.0/8"}, untrusted_log};
        ASSERT_EQ(http_request(s.port, "GET", "/healthz", {}, forwarded).status, 200U);
        s.service.terminate();
    }
    const auto trusted = access_lines(parse_json_lines(read_lines(trusted_log)), "GET", "/healthz");
    ASSERT_FALSE(trusted.empty());
    EXPECT_EQ(trusted.back().at("remote"), "203.0.113.7") << "the rightmost address not of a trusted proxy";
    EXPECT_EQ(trusted.back().at("peer").get<std::string>().rfind("127.0.0.1:", 0), 0U);
    const auto untrusted = access_lines(parse_json_lines(read_lines(untrusted_log)), "GET", "/healthz");
    ASSERT_FALSE(untrusted.empty());
    EXPECT_EQ(untrusted.back().at("remote"), "127.0.0.1") << "anyone may write the header: ignored";
}

TEST(Logs, TextFormatIsNotJson) {
    temp_dir logs;
    const auto log_file = logs.path() / "service.log";
    service_stack s{{}, {"--log-format", "text"}, log_file};
    ASSERT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
    s.service.terminate();

    const auto lines = read_lines(log_file);
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_TRUE(json::parse(line, nullptr, false).is_discarded()) << line;
    }
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find(" access method=GET path=/healthz status=200 ") != std::string::npos;
    }));
}

TEST(Logs, WarnLevelSuppressesInfoButKeepsWarnings) {
    temp_dir logs;
    const auto log_file = logs.path() / "service.log";
    service_stack s{{}, {"--log-level", "warn"}, log_file};
    ASSERT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
    const auto id = s.submit({{"data_dir", "empty"}});
    ASSERT_EQ(s.wait_finished(id).at("status"), "failed");
    s.service.terminate();

    const auto lines = parse_json_lines(read_lines(log_file));
    for (const auto& line : lines) {
        EXPECT_NE(line.at("level"), "info") << line;
        EXPECT_NE(line.at("msg"), "access") << line;
    }
    const auto failed =
        std::find_if(lines.begin(), lines.end(), [&](const json& l) { return l.value("run_id", "") == id; });
    ASSERT_NE(failed, lines.end()) << "the failed run's warning is logged";
    EXPECT_EQ(failed->at("level"), "warn");
    EXPECT_EQ(failed->at("error_type"), "no_benchmark_files");
}

}  // namespace
}  // namespace chimera::testing
