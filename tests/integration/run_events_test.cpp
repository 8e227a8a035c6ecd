// GET /runs/{id}/events: a run watched live over Server-Sent Events, from the queue to its document.
#include <future>

#include <gtest/gtest.h>

#include "run_event_stream.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::vector<std::string> stages_of(const std::vector<sse_event>& events) {
    std::vector<std::string> stages;
    for (const auto& event : events) {
        if (event.type == "status") stages.push_back(event.data.at("stage").get<std::string>());
    }
    return stages;
}

TEST(RunEvents, AQueuedRunIsWatchedThroughItsStagesTokensAndDocument) {
    // One worker, busy with a first run: the second waits in the queue while we subscribe.
    service_stack s{{"--tokens", "40", "--tokens-per-second", "400"}, {"--workers", "1"}};
    const auto first = s.submit({{"data_dir", "tiny"}});
    const auto watched = s.submit({{"data_dir", "tiny"}});
    auto stream = std::async(std::launch::async,
                             [&] { return http_request(s.port, "GET", "/runs/" + watched + "/events", {}, {}, 60s); });
    const auto reply = stream.get();
    ASSERT_EQ(reply.status, 200U) << reply.body;
    EXPECT_EQ(reply.headers.at("content-type"), "text/event-stream");
    const auto events = parse_events(reply.body);
    ASSERT_GE(events.size(), 4U) << reply.body;

    EXPECT_EQ(events.front().type, "status");
    const auto stages = stages_of(events);
    const std::vector<std::string> expected{"ingest", "analysis", "report"};
    std::vector<std::string> started(stages.begin() + 1, stages.end());
    EXPECT_EQ(started, expected) << "after the first status, each stage once, in order";

    ASSERT_EQ(events.back().type, "document");
    const auto document = events.back().data;
    EXPECT_EQ(document.at("status"), "succeeded");
    EXPECT_EQ(document, json::parse(http_request(s.port, "GET", "/runs/" + watched).body));

    const auto analysis = text_of(events, "analysis");
    const auto report_text = text_of(events, "report");
    EXPECT_FALSE(analysis.empty());
    ASSERT_FALSE(report_text.empty());
    const auto report = http_request(s.port, "GET", "/runs/" + watched + "/report").body;
    EXPECT_NE(report.find(report_text), std::string::npos) << "the streamed report text is the report's body";
    EXPECT_EQ(s.wait_finished(first).at("status"), "succeeded");
}

TEST(RunEvents, AFinishedRunSendsItsDocumentAndEnds) {
    service_stack s{{"--tokens", "5"}};
    const auto id = s.submit({{"data_dir", "tiny"}});
    const auto finished = s.wait_finished(id);
    const auto reply = http_request(s.port, "GET", "/runs/" + id + "/events");
    ASSERT_EQ(reply.status, 200U);
    const auto events = parse_events(reply.body);
    ASSERT_EQ(events.size(), 1U) << reply.body;
    EXPECT_EQ(events[0].type, "document");
    EXPECT_EQ(events[0].data, finished);
}

TEST(RunEvents, ACancelledQueuedRunEndsItsStreamWithTheCancelledDocument) {
    service_stack s{{"--load-ms", "600000"}, {"--workers", "1"}};
    s.submit({{"data_dir", "tiny"}});
    const auto waiting = s.submit({{"data_dir", "tiny"}});
    auto stream = std::async(std::launch::async,
                             [&] { return http_request(s.port, "GET", "/runs/" + waiting + "/events", {}, {}, 30s); });
    // Subscribed once the stream counts as open; then cancel the run.
    poll_until(
        s.port, "/metrics",
        [](const http_reply& r) { return metric_value(r.body, "chimera_http_event_streams_open") == 1.0; }, 10s);
    ASSERT_EQ(http_request(s.port, "DELETE", "/runs/" + waiting).status, 200U);
    const auto events = parse_events(stream.get().body);
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].data.at("status"), "queued");
    EXPECT_EQ(events[1].type, "document");
    EXPECT_EQ(events[1].data.at("status"), "cancelled");
}

TEST(RunEvents, UnknownRunIs404ProblemAndTheServiceStaysHealthy) {
    service_stack s{{}};
    const auto reply = http_request(s.port, "GET", "/runs/00000000-0000-4000-8000-000000000000/events");
    EXPECT_EQ(reply.status, 404U);
    EXPECT_EQ(reply.headers.at("content-type"), "application/problem+json");
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200U);
}

}  // namespace
}  // namespace chimera::testing
