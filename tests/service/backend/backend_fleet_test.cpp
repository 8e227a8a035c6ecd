// backend_fleet's routing on an io_context, without a network: the monitors are told what a
// probe round would have found (backend_monitor::observe).
#include "chimera/backend/backend_fleet.hpp"

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "chimera/backend/run_cancellation.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace {

backend_settings backend_named(const std::string& name, unsigned short port) {
    backend_settings settings;
    settings.name = name;
    settings.endpoint = {"127.0.0.1", std::to_string(port)};
    settings.max_streams = 1;
    return settings;
}

awaitable<void> take_stream(backend_fleet& fleet,
                            const backend_route& route,
                            run_cancellation& cancellation,
                            std::optional<stream_slot>& slot) {
    slot = co_await fleet.reserve(route, cancellation);
}

// Two streams freed at once wake two waiting runs; the first woken may take the stream the
// second was woken for (routing prefers the backend chosen least recently). The second, which
// can use only that backend, waits again - and the other freed stream must then go to a run that
// can use it, not stay free while runs wait for it until the next probe round.
TEST(BackendFleet, AStreamAWokenRunLeftFreeGoesToAnotherWaitingRun) {
    boost::asio::io_context io;
    const auto busy = boost::asio::make_work_guard(io);  // poll() must not stop it when nothing is pending
    service_metrics metrics;
    backend_fleet fleet{io.get_executor(), {backend_named("b", 1), backend_named("c", 2)}, metrics};
    fleet.find("b")->monitor().observe({true, "up", std::nullopt}, {"m1:latest"});
    fleet.find("c")->monitor().observe({true, "up", std::nullopt}, {"m1:latest", "m2:latest"});

    const backend_route m1{{}, "m1", nullptr};
    const backend_route m2{{}, "m2", nullptr};
    std::vector<run_cancellation> cancellations(5);
    std::vector<std::optional<stream_slot>> slots(5);
    const auto start = [&](std::size_t i, const backend_route& route) {
        boost::asio::co_spawn(io, take_stream(fleet, route, cancellations[i], slots[i]), boost::asio::detached);
        io.poll();
    };
    start(0, m2);  // holds c (chosen first)
    start(1, m1);  // holds b
    ASSERT_TRUE(slots[0] && slots[1]);
    ASSERT_EQ(&slots[0]->backend(), fleet.find("c"));
    start(2, m1);  // these three wait, in this order
    start(3, m2);
    start(4, m1);
    ASSERT_FALSE(slots[2] || slots[3] || slots[4]);

    slots[1].reset();  // b freed: wakes run 2
    slots[0].reset();  // c freed: wakes run 3 (run 2 no longer waits), the only one of them for m2
    io.poll();
    // Run 2 took c, chosen less recently than b; run 3 then found c full and waits again.
    ASSERT_TRUE(slots[2]);
    EXPECT_EQ(&slots[2]->backend(), fleet.find("c"));
    EXPECT_FALSE(slots[3]);
    EXPECT_TRUE(slots[4]) << "b is free and run 4 waits for it";
    EXPECT_EQ(fleet.find("b")->streams(), 1U);

    for (auto& cancellation : cancellations) cancellation.cancel(core::cancel_reason::drain);
    io.poll();
}

}  // namespace
}  // namespace chimera::service
