// The service's log as an operator's collector sees it: stderr of a real process.
#include <algorithm>
#include <fstream>
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
        EXPECT_EQ(line.at("remote").get<std::string>().rfind("127.0.0.1:", 0), 0U) << line;
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
