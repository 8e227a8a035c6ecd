// ollama-sim's POST /sim/hold and /sim/release, in each engine mode: a held generation waits before
// its first byte until the release, a client that leaves while held stops waiting, and once
// released the gate is open to the next request. fleet_test.cpp fills a fleet's streams with it.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "http_client.hpp"
#include "raw_connection.hpp"
#include "raw_exchange.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class SimGate : public ::testing::TestWithParam<std::string> {
protected:
    SimGate() : sim_{sim_argv(engine_sim_flags(GetParam(), 3, 2000))}, port_{read_listening_port(sim_)} {}

    [[nodiscard]] bool ollama() const { return GetParam() == "ollama"; }
    [[nodiscard]] std::string path() const { return ollama() ? "/api/generate" : "/v1/chat/completions"; }

    [[nodiscard]] std::string body() const {
        json b{{"model", "m1"}, {"stream", true}};
        if (ollama()) {
            b["prompt"] = "hello there";
        } else {
            b["messages"] = {{{"role", "user"}, {"content", "hello there"}}};
        }
        return b.dump();
    }

    [[nodiscard]] std::string request_text() const {
        const auto text = body();
        return "POST " + path() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(text.size()) + "\r\n\r\n" + text;
    }

    // Waits until the simulator's statistics satisfy `done`; returns them.
    template <typename Condition>
    json stats_when(Condition done) const {
        return json::parse(poll_until(
                               port_, "/sim/stats", [&](const http_reply& r) { return done(json::parse(r.body)); }, 10s)
                               .body);
    }

    [[nodiscard]] bool ended_with_the_stream(const raw_reply& reply) const {
        return reply.complete && reply.body.find(ollama() ? "\"done\":true" : "data: [DONE]") != std::string::npos;
    }

    child_process sim_;
    unsigned short port_;
};

TEST_P(SimGate, AHeldGenerationWaitsForTheReleaseAndALeavingClientStopsWaiting) {
    const auto held = http_request(port_, "POST", "/sim/hold");
    ASSERT_EQ(held.status, 200U);
    EXPECT_EQ(json::parse(held.body), json({{"held", true}}));
    {
        const raw_connection leaver{port_};
        leaver.send_text(request_text());
        stats_when([](const json& s) { return s.at("generations_in_flight") == 1; });
    }
    auto stats = stats_when([](const json& s) { return s.at("generations_in_flight") == 0; });
    EXPECT_TRUE(stats.at("requests")[0].at("client_disconnected").get<bool>());
    EXPECT_EQ(stats.at("requests")[0].at("eval_count"), 0) << "not a token while held";

    raw_reply waited;
    std::thread waiter{[&] { waited = raw_exchange(port_, "POST", path(), body()); }};
    stats = stats_when([](const json& s) { return s.at("generations_in_flight") == 1; });
    EXPECT_EQ(stats.at("requests")[1].at("eval_count"), 0) << "not a token while held";
    const auto released = http_request(port_, "POST", "/sim/release");
    waiter.join();
    EXPECT_EQ(json::parse(released.body), json({{"released", 1}})) << "the leaver no longer waited";
    EXPECT_EQ(waited.status, 200U);
    EXPECT_TRUE(ended_with_the_stream(waited)) << waited.body;

    EXPECT_TRUE(ended_with_the_stream(raw_exchange(port_, "POST", path(), body()))) << "the gate stays open";
    EXPECT_EQ(json::parse(http_request(port_, "POST", "/sim/release").body), json({{"released", 0}}));
}

INSTANTIATE_TEST_SUITE_P(Engines, SimGate, ::testing::Values("ollama", "llamacpp", "vllm"));

}  // namespace
}  // namespace chimera::testing
