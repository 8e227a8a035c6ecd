#include "chimera/telemetry/log.hpp"

#include <cmath>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace chimera::service {
namespace {

using json = nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

/// Each test logs into its own stream; the process logger goes back to stderr afterwards,
/// so no later test writes into a destroyed stream.
class log_lines : public testing::Test {
protected:
    void use(log_settings settings) { configure_logging(settings, out_); }
    [[nodiscard]] std::vector<std::string> lines() const { return lines_of(out_.str()); }
    void TearDown() override { configure_logging({}); }

private:
    std::ostringstream out_;
};

TEST_F(log_lines, run_event_is_one_json_object_with_run_id_and_stage) {
    use({});
    log_run_event(log_level::info, "3f1c", "analysis", "stage started");
    const auto written = lines();
    ASSERT_EQ(written.size(), 1U);
    const auto line = json::parse(written[0]);
    EXPECT_EQ(line.at("level"), "info");
    EXPECT_EQ(line.at("msg"), "stage started");
    EXPECT_EQ(line.at("run_id"), "3f1c");
    EXPECT_EQ(line.at("stage"), "analysis");
    const std::regex rfc3339_utc_millis{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"};
    EXPECT_TRUE(std::regex_match(line.at("ts").get<std::string>(), rfc3339_utc_millis)) << line.at("ts");
}

TEST_F(log_lines, a_text_line_shows_control_characters_a_client_sent_and_stays_one_line) {
    use({log_format::text, log_level::info});
    log_event(log_level::info, "access", {{"path", "/runs/\x1b[2J\x07\nforged line"}});
    const auto written = lines();
    ASSERT_EQ(written.size(), 1U);
    EXPECT_EQ(written[0].find('\x1b'), std::string::npos) << written[0];
    EXPECT_NE(written[0].find("path=/runs/\u241b[2J\u2407\u240aforged line"), std::string::npos) << written[0];
}

TEST_F(log_lines, fields_keep_their_types) {
    use({});
    log_event(log_level::warn, "access", {{"status", std::int64_t{413}}, {"duration_ms", 1.5}, {"path", "/runs"}});
    const auto line = json::parse(lines().at(0));
    EXPECT_EQ(line.at("level"), "warn");
    EXPECT_EQ(line.at("status"), 413);
    EXPECT_DOUBLE_EQ(line.at("duration_ms").get<double>(), 1.5);
    EXPECT_EQ(line.at("path"), "/runs");
}

TEST_F(log_lines, quotes_newlines_and_invalid_utf8_stay_one_parseable_line) {
    use({});
    log_run_event(log_level::error, "id\"1", "report", "bad \"detail\"\nsecond line \xff\xfe end");
    const auto written = lines();
    ASSERT_EQ(written.size(), 1U);
    const auto line = json::parse(written[0]);
    EXPECT_EQ(line.at("run_id"), "id\"1");
    EXPECT_NE(line.at("msg").get<std::string>().find("bad \"detail\"\nsecond line"), std::string::npos);
}

// ASCII lines are written without nlohmann (the access log's path); they must be the bytes
// nlohmann would write, escapes and number forms included.
TEST_F(log_lines, ascii_lines_are_the_bytes_nlohmann_writes) {
    use({});
    log_event(log_level::info, "tab\there \"quoted\" back\\slash \x01\x1f\b\f\r\n",
              {{"path", "/runs/{id}"},
               {"status", std::int64_t{-42}},
               {"whole", 2.0},
               {"small", 1.5e-7},
               {"large", 1e21},
               {"fraction", 0.1},
               {"duration_ms", 1234567.0},
               {"nan", std::nan("")}});
    const auto written = lines().at(0);
    const auto line = nlohmann::ordered_json::parse(written);
    EXPECT_EQ(line.dump(-1, ' ', false, json::error_handler_t::replace), written);
    EXPECT_TRUE(line.at("whole").is_number_float());
    EXPECT_TRUE(line.at("nan").is_null());
}

TEST_F(log_lines, a_repeated_field_keeps_its_last_value) {
    use({});
    log_event(log_level::info, "access", {{"path", "/a"}, {"path", "/b"}});
    const auto line = json::parse(lines().at(0));
    EXPECT_EQ(line.at("path"), "/b");
}

TEST_F(log_lines, plain_spdlog_calls_are_json_too_and_carry_no_stale_fields) {
    use({});
    log_run_event(log_level::info, "r1", "ingest", "first");
    spdlog::info("backend {} is up", "127.0.0.1:11434");
    const auto written = lines();
    ASSERT_EQ(written.size(), 2U);
    const auto line = json::parse(written[1]);
    EXPECT_EQ(line.at("msg"), "backend 127.0.0.1:11434 is up");
    EXPECT_FALSE(line.contains("run_id"));
}

TEST_F(log_lines, level_below_the_threshold_is_dropped) {
    use({log_format::json, log_level::warn});
    log_run_event(log_level::info, "r1", "ingest", "dropped");
    spdlog::info("dropped too");
    log_run_event(log_level::warn, "r1", "ingest", "kept");
    const auto written = lines();
    ASSERT_EQ(written.size(), 1U);
    EXPECT_EQ(json::parse(written[0]).at("msg"), "kept");
}

TEST_F(log_lines, log_enabled_follows_the_threshold) {
    use({log_format::json, log_level::warn});
    EXPECT_FALSE(log_enabled(log_level::info));
    EXPECT_TRUE(log_enabled(log_level::warn));
    EXPECT_TRUE(log_enabled(log_level::error));
}

TEST_F(log_lines, text_format_is_readable_and_not_json) {
    use({log_format::text, log_level::info});
    log_run_event(log_level::info, "r1", "report", "stage started");
    const auto written = lines();
    ASSERT_EQ(written.size(), 1U);
    EXPECT_TRUE(json::parse(written[0], nullptr, false).is_discarded()) << written[0];
    EXPECT_NE(written[0].find(" info stage started run_id=r1 stage=report"), std::string::npos) << written[0];
}

TEST(log_flags, parse_known_values_and_name_the_flag_otherwise) {
    EXPECT_EQ(parse_log_format("text"), log_format::text);
    EXPECT_EQ(parse_log_format("json"), log_format::json);
    EXPECT_EQ(parse_log_level("warn"), log_level::warn);
    EXPECT_EQ(parse_log_level("off"), log_level::off);
    EXPECT_THROW((void)parse_log_format("xml"), std::invalid_argument);
    try {
        (void)parse_log_level("warning!");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string{e.what()}.find("--log-level"), std::string::npos);
    }
}

}  // namespace
}  // namespace chimera::service
