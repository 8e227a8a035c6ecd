// Backpressure of POST /runs against the real process: a bounded queue, 429 beyond it, and
// memory that does not grow with the refused load.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Sanitizer builds keep freed memory in a quarantine (256 MB by default) and grow shadow
// memory with it: their RSS measures the instrumentation, not the service.
const bool rss_is_representative = test_support::chimera_is_optimized();

/// A field of /proc/<pid>/status in kB, e.g. VmRSS (resident now) or VmHWM (resident peak).
long proc_status_kb(pid_t pid, const std::string& field) {
    std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(field + ":", 0) == 0) {
            return std::stol(line.substr(field.size() + 1));
        }
    }
    throw std::runtime_error("no " + field + " in /proc/" + std::to_string(pid) + "/status");
}

std::size_t runs_with_status(const service_stack& s, const std::string& status) {
    const auto reply = http_request(s.port, "GET", "/runs?limit=500&status=" + status);
    EXPECT_EQ(reply.status, 200U) << reply.body;
    return json::parse(reply.body).at("runs").size();
}

struct burst_outcome {
    std::map<unsigned, int> by_status;
    std::set<std::string> retry_after_values;
    std::vector<std::string> anomalies;  ///< replies that are neither 202 nor a well-formed 429
    std::mutex mutex;
};

TEST(Backpressure, BurstOfTenThousandPostsIsBoundedByTheQueueAndLeavesMemoryFlat) {
    constexpr int capacity = 50;
    constexpr int workers = 2;
    constexpr int posts = 10'000;
    constexpr int clients = 4;
    temp_dir logs;
    // A backend that never answers a generate call: every started run holds its worker, so the
    // queue fills and stays full for the whole burst.
    service_stack s{{"--load-ms", "600000"},
                    {"--queue-capacity", std::to_string(capacity), "--workers", std::to_string(workers)},
                    logs.path() / "service.log"};
    const auto pid = s.service.pid();
    const long rss_before = proc_status_kb(pid, "VmRSS");

    burst_outcome outcome;
    std::atomic<int> next{0};
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
            while (next.fetch_add(1) < posts) {
                std::string anomaly;
                http_reply reply;
                try {
                    reply = http_request(s.port, "POST", "/runs", R"({"data_dir":"tiny"})");
                } catch (const std::exception& e) {
                    anomaly = std::string{"no reply: "} + e.what();
                }
                const auto retry_after = reply.headers.find("retry-after");
                if (reply.status == 429U) {
                    long seconds = 0;
                    const auto& text = retry_after == reply.headers.end() ? std::string{} : retry_after->second;
                    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
                    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || seconds < 1) {
                        anomaly = "429 without a whole Retry-After >= 1: '" + text + "'";
                    }
                } else if (reply.status != 202U && anomaly.empty()) {
                    anomaly = std::to_string(reply.status) + " " + reply.body;
                }
                const std::scoped_lock lock{outcome.mutex};
                ++outcome.by_status[reply.status];
                if (reply.status == 429U && retry_after != reply.headers.end()) {
                    outcome.retry_after_values.insert(retry_after->second);
                }
                if (!anomaly.empty() && outcome.anomalies.size() < 10) outcome.anomalies.push_back(anomaly);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const auto burst_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
    const long rss_after = proc_status_kb(pid, "VmRSS");
    const long rss_peak = proc_status_kb(pid, "VmHWM");
    std::string retry_after_values;
    for (const auto& value : outcome.retry_after_values) {
        retry_after_values += " " + value;
    }
    std::printf(
        "burst: %d POSTs from %d clients in %.2f s (%.0f/s); 202: %d, 429: %d, Retry-After:%s; "
        "VmRSS before %ld kB, after %ld kB, VmHWM %ld kB\n",
        posts, clients, burst_seconds, posts / burst_seconds, outcome.by_status[202U], outcome.by_status[429U],
        retry_after_values.c_str(), rss_before, rss_after, rss_peak);

    EXPECT_TRUE(outcome.anomalies.empty()) << outcome.anomalies.front();
    EXPECT_EQ(outcome.by_status[202U], capacity + workers) << "the queue's capacity and one run per worker";
    EXPECT_EQ(outcome.by_status[429U], posts - capacity - workers);
    EXPECT_EQ(runs_with_status(s, "running"), static_cast<std::size_t>(workers));
    EXPECT_EQ(runs_with_status(s, "queued"), static_cast<std::size_t>(capacity));
    if (rss_is_representative) {
        constexpr long bound_kb = 16 * 1024;
        EXPECT_LT(rss_after - rss_before, bound_kb) << "resident memory after the burst";
        EXPECT_LT(rss_peak - rss_before, bound_kb) << "resident memory at its peak during the burst";
    }
}

}  // namespace
}  // namespace chimera::testing
