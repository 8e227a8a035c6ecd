// Replicas of `chimera serve` behind nginx (tests/integration/nginx_balancer.hpp), configured like
// deploy/nginx/nginx.conf: requests go round the replicas, event streams pass unbuffered, and a 503
// moves an idempotent request on to the next replica but never a POST.
#include <signal.h>

#include <array>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "nginx_balancer.hpp"
#include "raw_connection.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// The `/healthz` requests a replica has answered, by its own count.
double healthz_served(const service_stack& replica) {
    return metric_value(replica.metrics(), "chimera_http_requests_total", {R"(route="/healthz")"});
}

std::string upstream(unsigned short port) {
    std::string address{"127.0.0.1:"};
    return address.append(std::to_string(port));
}

TEST(LoadBalancer, RoundRobinSpreadsRequestsOverEveryReplica) {
    std::array<std::unique_ptr<service_stack>, 3> replicas;
    std::vector<unsigned short> ports;
    for (auto& replica : replicas) {
        replica = std::make_unique<service_stack>(std::vector<std::string>{});
        ports.push_back(replica->port);
    }
    const nginx_balancer balancer{ports};
    std::array<double, 3> before{};
    for (std::size_t i = 0; i < replicas.size(); ++i) before.at(i) = healthz_served(*replicas.at(i));

    constexpr int rounds = 10;
    std::map<std::string, int> by_upstream;
    for (int i = 0; i < rounds * 3; ++i) {
        const auto request_id = "lb-round-robin-" + std::to_string(i);
        const auto reply = http_request(balancer.port(), "GET", "/healthz", {}, {{"X-Request-Id", request_id}});
        ASSERT_EQ(reply.status, 200U) << reply.body << balancer.error_log();
        EXPECT_EQ(reply.headers.at("x-request-id"), request_id)
            << "the client's request id reaches the replica and back";
        ++by_upstream[reply.headers.at("x-upstream")];
    }
    // Each replica counts the requests it served itself: the balancer's word is not taken for it.
    for (std::size_t i = 0; i < replicas.size(); ++i) {
        EXPECT_EQ(healthz_served(*replicas.at(i)) - before.at(i), rounds) << "replica " << i;
        EXPECT_EQ(by_upstream[upstream(ports.at(i))], rounds) << "replica " << i;
    }
}

TEST(LoadBalancer, EventsPassThroughUnbufferedWhileTheRunIsRunning) {
    // One worker. The watched run's backend sends 3 tokens, then nothing for a minute: a few hundred
    // bytes of events that a buffering proxy would hold back until the stream ends.
    service_stack idle{{}};
    service_stack streaming{{}, {"--workers", "1", "--idle-timeout", "120s"}};
    nginx_balancer balancer{{idle.port}};
    // A run lives in the store of the replica that accepted it (SQLite, one per replica), so the
    // balancer is pointed at that replica alone before the run is submitted and watched through it.
    balancer.reload({streaming.port});
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(http_request(balancer.port(), "GET", "/healthz").headers.at("x-upstream"), upstream(streaming.port))
            << "after the reload every request reaches the one replica named";
    }
    const auto submit = [&](const std::string& model) {
        const auto reply =
            http_request(balancer.port(), "POST", "/runs", json{{"data_dir", "tiny"}, {"model", model}}.dump());
        EXPECT_EQ(reply.status, 202U) << reply.body;
        return json::parse(reply.body).at("id").get<std::string>();
    };
    // The worker is held by a run whose backend takes 10 minutes to answer, so the watched run waits
    // in the queue until the stream is open: none of its tokens can go out before.
    const auto blocker = submit("fault/load-ms=600000");
    poll_until(
        streaming.port, "/runs/" + blocker,
        [](const http_reply& r) { return json::parse(r.body).at("status") == "running"; }, 20s);
    const auto watched = submit("fault/stall-after=3:60000");

    const raw_connection client{balancer.port()};
    std::string request{"GET /runs/"};
    client.send_text(request.append(watched).append("/events HTTP/1.1\r\nHost: balancer\r\n\r\n"));
    poll_until(
        streaming.port, "/metrics",
        [](const http_reply& r) { return metric_value(r.body, "chimera_http_event_streams_open") == 1.0; }, 20s);
    ASSERT_EQ(http_request(streaming.port, "DELETE", "/runs/" + blocker).status, 202U) << "cancelling a running run";

    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (received.find("event: token") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        received.append(client.receive(50ms));
    }
    ASSERT_NE(received.find("event: token"), std::string::npos) << "no token event within 20 s:\n" << received;
    EXPECT_TRUE(received.starts_with("HTTP/1.1 200")) << received;
    EXPECT_NE(received.find("text/event-stream"), std::string::npos) << received;
    EXPECT_EQ(received.find("event: document"), std::string::npos) << "the run cannot have ended yet";
    // The tokens arrived while the backend stalls and the run still runs: nginx passed them on.
    const auto document = json::parse(http_request(streaming.port, "GET", "/runs/" + watched).body);
    EXPECT_EQ(document.at("status"), "running") << document.dump();
}

TEST(LoadBalancer, A503MovesAGetToTheNextReplicaButNeverAPost) {
    // The draining replica keeps a run running for its whole drain (60 s), so it answers 503 meanwhile.
    service_stack draining{{"--tokens", "200", "--tokens-per-second", "5"},
                           {"--workers", "1", "--drain-timeout", "60s"}};
    service_stack serving{{}};
    const auto id = draining.submit({{"data_dir", "tiny"}});
    poll_until(
        draining.port, "/runs/" + id, [](const http_reply& r) { return json::parse(r.body).at("status") == "running"; },
        20s);
    ASSERT_EQ(::kill(draining.service.pid(), SIGTERM), 0);
    poll_until(
        draining.port, "/readyz", [](const http_reply& r) { return r.status == 503; }, 20s);

    const nginx_balancer balancer{{draining.port, serving.port}};
    const auto retry_path = upstream(draining.port).append(", ").append(upstream(serving.port));
    int retried = 0;
    for (int i = 0; i < 4; ++i) {
        const auto reply = http_request(balancer.port(), "GET", "/readyz");
        EXPECT_EQ(reply.status, 200U) << "a GET the draining replica refused is answered by the other";
        const auto& tried = reply.headers.at("x-upstream");
        retried += tried == retry_path ? 1 : 0;
    }
    EXPECT_EQ(retried, 2) << "every other GET went to the draining replica first";

    std::map<std::string, int> posts;
    for (int i = 0; i < 4; ++i) {
        const auto reply = http_request(balancer.port(), "POST", "/runs", json{{"data_dir", "tiny"}}.dump());
        const auto& tried = reply.headers.at("x-upstream");
        EXPECT_EQ(reply.status, tried == upstream(draining.port) ? 503U : 202U) << tried << " " << reply.body;
        ++posts[tried];
    }
    EXPECT_EQ(posts[upstream(draining.port)], 2) << "POSTs refused with 503 were not sent to another replica";
    EXPECT_EQ(posts[upstream(serving.port)], 2);
}

}  // namespace
}  // namespace chimera::testing
