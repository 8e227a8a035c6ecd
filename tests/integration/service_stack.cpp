#include "service_stack.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include <gtest/gtest.h>

#include "service_binaries.hpp"

namespace chimera::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

/// How `chimera serve` is told where the simulator is.
std::vector<std::string> backend_flags(const std::string& openai_backend, unsigned short sim_port) {
    if (openai_backend.empty()) return {"--ollama-url", "http://127.0.0.1:" + std::to_string(sim_port)};
    return {"--backend", openai_backend_flag(openai_backend, sim_port)};
}

/// Tests end with SIGTERM: a short drain unless a test sets its own, so that a run
/// stuck on a slow backend doesn't hold every test's teardown for the default 25 s.
std::vector<std::string> with_drain_timeout(std::vector<std::string> flags) {
    if (std::find(flags.begin(), flags.end(), "--drain-timeout") == flags.end()) {
        flags.insert(flags.end(), {"--drain-timeout", "100ms"});
    }
    return flags;
}

}  // namespace

service_stack::service_stack(const std::vector<std::string>& sim_flags,
                             const std::vector<std::string>& service_flags,
                             const std::filesystem::path& service_stderr,
                             const std::string& openai_backend)
    : sim(sim_argv(sim_flags)),
      sim_port(read_listening_port(sim)),
      service(with(with({test_support::chimera_binary(), "serve", "--listen", "127.0.0.1:0", "--data-root",
                         CHIMERA_TEST_DATA_DIR, "--state-dir", state.path().string()},
                        backend_flags(openai_backend, sim_port)),
                   with_drain_timeout(service_flags)),
              service_stderr),
      port(read_listening_port(service)) {
    poll_until(
        port, "/readyz", [](const http_reply& r) { return r.status == 200; }, 20s);
}

std::string service_stack::submit(const json& body) const {
    const auto reply = http_request(port, "POST", "/runs", body.dump());
    EXPECT_EQ(reply.status, 202U) << reply.body;
    return json::parse(reply.body).at("id").get<std::string>();
}

json service_stack::wait_finished(const std::string& id) const {
    const auto reply = poll_until(
        port, "/runs/" + id,
        [](const http_reply& r) {
            const auto status = json::parse(r.body).value("status", "");
            return status == "succeeded" || status == "failed" || status == "cancelled";
        },
        60s);
    return json::parse(reply.body);
}

json service_stack::sim_stats() const { return json::parse(http_request(sim_port, "GET", "/sim/stats").body); }

std::string service_stack::metrics() const { return http_request(port, "GET", "/metrics").body; }

void expect_failed(const json& run, const std::string& type, const std::string& detail_part) {
    EXPECT_EQ(run.at("status"), "failed") << run.dump();
    ASSERT_TRUE(run.at("error").is_object()) << run.dump();
    EXPECT_EQ(run.at("error").at("type"), type) << run.dump();
    const auto detail = run.at("error").at("detail").get<std::string>();
    EXPECT_NE(detail.find(detail_part), std::string::npos) << detail;
}

/// RFC 3339 with fixed-width milliseconds: string order is time order.
bool runs_overlap(const json& a, const json& b) {
    const auto a_start = a.at("started_at").get<std::string>();
    const auto a_end = a.at("finished_at").get<std::string>();
    const auto b_start = b.at("started_at").get<std::string>();
    const auto b_end = b.at("finished_at").get<std::string>();
    return a_start < b_end && b_start < a_end;
}

std::vector<json> generate_requests(const json& stats) { return requests_to(stats, "/api/generate"); }

std::vector<json> requests_to(const json& stats, const std::string& path) {
    std::vector<json> out;
    for (const auto& request : stats.at("requests")) {
        if (request.at("path") == path) {
            out.push_back(request);
        }
    }
    return out;
}

std::vector<std::string> sim_flags(const std::string& models, int tokens, int tokens_per_second) {
    return {"--models",
            models,
            "--tokens",
            std::to_string(tokens),
            "--tokens-per-second",
            std::to_string(tokens_per_second),
            "--prompt-tokens-per-second",
            "1000000"};
}

std::vector<std::string> engine_sim_flags(const std::string& engine, int tokens, int tokens_per_second) {
    return with({"--engine", engine}, sim_flags("m1", tokens, tokens_per_second));
}

std::vector<std::string> sim_argv(const std::vector<std::string>& flags) {
    return with({CHIMERA_SIM_BIN, "--listen", "127.0.0.1:0"}, flags);
}

std::string openai_backend_flag(const std::string& name, unsigned short port) {
    const auto comma = name.find(',');
    const auto settings = comma == std::string::npos ? std::string{} : name.substr(comma);
    return name.substr(0, comma) + "=http://127.0.0.1:" + std::to_string(port) + ",kind=openai" + settings;
}

double metric_value(const std::string& exposition, const std::string& sample_name) {
    const std::regex line{"^" + sample_name + R"((\{[^}]*\})? ([0-9.e+-]+)$)", std::regex::multiline};
    double total = 0;
    for (std::sregex_iterator it{exposition.begin(), exposition.end(), line}, end; it != end; ++it) {
        total += std::stod((*it)[2]);
    }
    return total;
}

double metric_value(const std::string& exposition,
                    const std::string& sample_name,
                    const std::vector<std::string>& labels) {
    const std::regex line{"^" + sample_name + R"(\{([^}]*)\} ([0-9.e+-]+)$)", std::regex::multiline};
    double total = 0;
    for (std::sregex_iterator it{exposition.begin(), exposition.end(), line}, end; it != end; ++it) {
        // Appended piecewise: GCC 12 warns (-Wrestrict) about `"," + s + ","` with false positives.
        std::string label_set{","};
        label_set.append((*it)[1].str()).append(",");
        const bool all = std::all_of(labels.begin(), labels.end(), [&](const std::string& label) {
            std::string wanted{","};
            wanted.append(label).append(",");
            return label_set.find(wanted) != std::string::npos;
        });
        total += all ? std::stod((*it)[2]) : 0;
    }
    return total;
}

}  // namespace chimera::testing
