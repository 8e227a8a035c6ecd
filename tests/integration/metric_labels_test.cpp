// Clients choose model names; /metrics must not grow with them, nor carry what they sent
// (issue 16, item 2): against the real process, checked by Prometheus's own promtool.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "http_client_poll.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using namespace std::chrono_literals;

std::size_t series_of(const std::string& exposition, const std::string& name) {
    std::size_t count = 0;
    std::istringstream lines{exposition};
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(name + "{")) ++count;
    }
    return count;
}

/// `promtool check metrics` on `exposition`: its exit status and what it said.
std::pair<int, std::string> promtool_check(const temp_dir& dir, const std::string& exposition) {
    const auto scrape = dir.path() / "scrape.txt";
    const auto report = dir.path() / "promtool.txt";
    std::ofstream{scrape} << exposition;
    const auto command = "/usr/bin/promtool check metrics < " + scrape.string() + " > " + report.string() + " 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(report)};
}

TEST(MetricLabels, HostileModelNamesShareOneSeriesAndTheScrapeStaysValid) {
    service_stack s{{"--models", "gemma3:latest,llama3.2:1b"}, {"--workers", "4"}};
    // The backend's models are labels of their own once listed: /readyz says when they were.
    poll_until(
        s.port, "/readyz",
        [](const http_reply& r) {
            return nlohmann::json::parse(r.body).at("backend").at("models_listed").get<int>() >= 2;
        },
        10s);
    constexpr int hostile_runs = 300;
    for (int i = 0; i < hostile_runs; ++i) {
        s.submit({{"data_dir", "tiny"}, {"model", "m" + std::to_string(i) + "\r\n# TYPE forged counter\n\"\\"}});
    }
    EXPECT_EQ(s.wait_finished(s.submit({{"data_dir", "tiny"}, {"model", "llama3.2:1b"}})).at("status"), "succeeded");
    const auto finished = [](const http_reply& r) {
        return metric_value(r.body, "chimera_runs_total") >= hostile_runs + 1;
    };
    const auto exposition = poll_until(s.port, "/metrics", finished, 60s).body;

    EXPECT_EQ(metric_value(exposition, "chimera_llm_requests_total", {"model=\"other\""}), hostile_runs);
    EXPECT_EQ(metric_value(exposition, "chimera_llm_requests_total", {"model=\"llama3.2:1b\""}), 2.0);
    EXPECT_LE(series_of(exposition, "chimera_llm_requests_total"), 8U) << "outcomes × stages × 2 models, not 300";
    EXPECT_EQ(exposition.find("forged"), std::string::npos);
    EXPECT_EQ(exposition.find('\r'), std::string::npos);
    const auto [status, said] = promtool_check(s.state, exposition);
    EXPECT_EQ(status, 0) << said;
}

}  // namespace
}  // namespace chimera::testing
