// Authentication and the per-connection limits of `chimera serve`, against the real process.
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "raw_connection.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string missing_run = "/runs/00000000-0000-4000-8000-000000000000";

std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

/// Every connection is a descriptor in this process too.
void ensure_open_file_limit(rlim_t wanted) {
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur >= wanted) return;
    ASSERT_GE(limit.rlim_max, wanted) << "the hard RLIMIT_NOFILE is too low for this test";
    limit.rlim_cur = wanted;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

std::filesystem::path write_tokens(const temp_dir& dir) {
    const auto path = dir.path() / "tokens";
    std::ofstream{path} << "# two clients\ntoken-one\n\n  token-two\n";
    return path;
}

TEST(Security, EveryRouteButTheProbesNeedsOneOfTheTokens) {
    temp_dir secrets;
    service_stack s{{}, {"--auth-token-file", write_tokens(secrets).string()}};

    const auto without = http_request(s.port, "GET", missing_run);
    EXPECT_EQ(without.status, 401U);
    EXPECT_EQ(without.headers.at("content-type"), "application/problem+json");
    EXPECT_EQ(without.headers.at("www-authenticate").rfind("Bearer", 0), 0U);
    EXPECT_EQ(json::parse(without.body).at("status"), 401);

    const auto wrong = http_request(s.port, "GET", missing_run, {}, bearer("token-three"));
    EXPECT_EQ(wrong.status, 401U);
    EXPECT_NE(wrong.headers.at("www-authenticate").find("invalid_token"), std::string::npos);
    EXPECT_EQ(http_request(s.port, "GET", "/metrics", {}, bearer("token-on")).status, 401U) << "a prefix";
    EXPECT_EQ(http_request(s.port, "GET", "/nope").status, 401U) << "unknown routes stay unknown";
    EXPECT_EQ(http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})").status, 401U);

    for (const std::string token : {"token-one", "token-two"}) {
        EXPECT_EQ(http_request(s.port, "GET", "/metrics", {}, bearer(token)).status, 200U) << token;
        EXPECT_EQ(http_request(s.port, "GET", missing_run, {}, bearer(token)).status, 404U) << token;
        EXPECT_EQ(http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})", bearer(token)).status, 202U);
    }
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
    EXPECT_EQ(http_request(s.port, "GET", "/readyz").status, 200U);
}

TEST(Security, AdminAddressServesMetricsWithoutATokenAndTheApiAddressNoLonger) {
    temp_dir secrets;
    service_stack s{{}, {"--auth-token-file", write_tokens(secrets).string(), "--admin-listen", "127.0.0.1:0"}};
    const auto admin_port = read_listening_port(s.service, "admin listening on 127.0.0.1:");

    const auto metrics = http_request(admin_port, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200U);
    EXPECT_NE(metrics.body.find("chimera_http_requests_total"), std::string::npos);
    EXPECT_EQ(http_request(admin_port, "GET", "/healthz").status, 200U);
    EXPECT_EQ(http_request(admin_port, "GET", missing_run).status, 404U) << "the API is not on the admin address";
    EXPECT_EQ(http_request(s.port, "GET", "/metrics", {}, bearer("token-one")).status, 404U);
}

TEST(Security, OversizedBodyGets413AndOversizedHeadersGet431) {
    service_stack s{{}, {"--max-body-bytes", "1K", "--max-header-count", "20"}};
    const auto body = json{{"label", std::string(4096, 'x')}}.dump();
    const auto too_large = http_request(s.port, "POST", "/runs", body);
    EXPECT_EQ(too_large.status, 413U);
    EXPECT_EQ(too_large.headers.at("content-type"), "application/problem+json");
    EXPECT_EQ(json::parse(too_large.body).at("status"), 413);

    const auto long_header = http_request(s.port, "GET", "/healthz", {}, {{"X-Pad", std::string(20000, 'y')}});
    EXPECT_EQ(long_header.status, 431U);
    EXPECT_EQ(json::parse(long_header.body).at("status"), 431);

    std::map<std::string, std::string> many;
    std::string name = "X-Field-?";  // filled in, not concatenated: GCC 12 -Wrestrict false positive
    for (char letter = 'a'; letter < 'a' + 26; ++letter) {
        name.back() = letter;
        many.try_emplace(name, 1, 'v');
    }
    EXPECT_EQ(http_request(s.port, "GET", "/healthz", {}, many).status, 431U);
    EXPECT_EQ(http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})").status, 202U) << "small is fine";
}

TEST(Security, HalfOpenConnectionsDoNotHoldUpHealthzAndAreClosedAfterTheHeaderTimeout) {
    constexpr int half_open = 500;
    ensure_open_file_limit(half_open + 256);
    // One client address for all of them: the per-address cap is another defence, not this test's.
    service_stack s{{}, {"--header-read-timeout", "2s", "--max-connections-per-address", "1000"}};
    std::vector<raw_connection> slow;
    slow.reserve(half_open);
    for (int i = 0; i < half_open; ++i) {
        slow.emplace_back(s.port).send_text("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    }
    const auto health = http_request(s.port, "GET", "/healthz", {}, {}, 5s);
    EXPECT_EQ(health.status, 200U);

    int closed = 0;
    for (const auto& connection : slow) {
        closed += connection.closed_silently_within(30s) ? 1 : 0;
    }
    EXPECT_EQ(closed, half_open) << "every half-open connection is closed, without a reply";
}

TEST(Security, ConnectionsBeyondTheMaximumAreClosedAtOnce) {
    service_stack s{{}, {"--max-connections", "3"}};
    std::vector<raw_connection> idle;
    for (int i = 0; i < 3; ++i) {
        idle.emplace_back(s.port);
    }
    const raw_connection refused{s.port};
    EXPECT_TRUE(refused.closed_silently_within(5s)) << "well before the 10 s header timeout";
    idle.pop_back();  // frees a slot
    const auto health = poll_until(
        s.port, "/healthz", [](const http_reply& r) { return r.status == 200; }, 10s);
    EXPECT_EQ(health.status, 200U);
}

}  // namespace
}  // namespace chimera::testing
