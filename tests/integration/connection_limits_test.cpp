// One client cannot take every connection, and the probes are always answered (issue 16,
// item 4): a per-address cap on the API listener, and the probes on the admin listener,
// whose slots are its own. Refusals are counted in the metrics and logged, at a bounded rate.
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http_client_poll.hpp"
#include "raw_connection.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using namespace std::chrono_literals;

unsigned short admin_port(service_stack& s) {
    const auto line = s.service.read_line(5s);
    std::smatch match;
    if (!std::regex_search(line, match, std::regex{R"(admin listening on [0-9.]+:([0-9]+))"})) {
        throw std::runtime_error("no admin address in: " + line);
    }
    return static_cast<unsigned short>(std::stoi(match[1]));
}

/// Waits until the API listener holds exactly `count` connections, as its gauge on the admin
/// listener says: first 0, so that no connection of the stack's own readiness polls is still
/// open when a test fills the slots, then the test's own.
void wait_for_open(unsigned short admin, double count) {
    poll_until(
        admin, "/metrics",
        [count](const http_reply& r) {
            return metric_value(r.body, "chimera_http_connections_open", {"listener=\"api\""}) == count;
        },
        10s);
}

std::size_t lines_with(const std::filesystem::path& log, const std::string& text) {
    std::ifstream in{log};
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) count += line.find(text) != std::string::npos ? 1 : 0;
    return count;
}

TEST(ConnectionLimits, OneAddressIsCappedAndAnotherIsStillServed) {
    temp_dir logs;
    const auto log = logs.path() / "service.log";
    service_stack s{{}, {"--max-connections-per-address", "4", "--admin-listen", "127.0.0.1:0"}, log};
    const auto admin = admin_port(s);
    wait_for_open(admin, 0);
    std::vector<raw_connection> held;
    for (int i = 0; i < 4; ++i) held.emplace_back(s.port, "127.0.0.1");
    wait_for_open(admin, 4);
    std::vector<raw_connection> refused;
    for (int i = 0; i < 20; ++i) refused.emplace_back(s.port, "127.0.0.1");
    for (const auto& connection : refused) {
        EXPECT_TRUE(connection.closed_silently_within(5s)) << "over the cap: closed at once";
    }
    const raw_connection other{s.port, "127.0.0.2"};
    other.send_text("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(other.receive(5s).rfind("HTTP/1.1 200 OK", 0), 0U) << "another address has its own slots";

    const auto metrics = http_request(admin, "GET", "/metrics").body;
    EXPECT_GE(
        metric_value(metrics, "chimera_http_connections_refused_total", {"listener=\"api\"", "reason=\"per_address\""}),
        20.0);
    s.service.terminate();
    EXPECT_EQ(lines_with(log, "refused"), 1U) << "twenty refusals in a burst: one log line";
}

TEST(ConnectionLimits, ProbesOnTheAdminListenerAreAnsweredWhileTheApiIsFull) {
    service_stack s{{}, {"--max-connections", "8", "--admin-listen", "127.0.0.1:0"}};
    const auto admin = admin_port(s);
    wait_for_open(admin, 0);
    std::vector<raw_connection> held;
    for (int i = 0; i < 8; ++i) held.emplace_back(s.port, i % 2 == 0 ? "127.0.0.1" : "127.0.0.2");
    wait_for_open(admin, 8);
    const raw_connection refused{s.port, "127.0.0.4"};
    EXPECT_TRUE(refused.closed_silently_within(5s)) << "the API listener is full";
    EXPECT_EQ(http_request(admin, "GET", "/healthz", {}, {}, 2s).status, 200U);
    EXPECT_EQ(http_request(admin, "GET", "/readyz", {}, {}, 2s).status, 200U);
    const auto metrics = http_request(admin, "GET", "/metrics").body;
    EXPECT_GE(
        metric_value(metrics, "chimera_http_connections_refused_total", {"listener=\"api\"", "reason=\"capacity\""}),
        1.0);
}

}  // namespace
}  // namespace chimera::testing
