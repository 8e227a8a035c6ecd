// The routing of a fleet (issue 18) without the network: backend_fleet::reserve and the release
// of a stream, on an io_context, over 8 backends whose monitors are told (not probed) that they
// are up and list the models. Reports the time of one routing decision:
//   route_free_stream      a stream is free: reserve (choose a backend, take its stream) and
//                          release it, no run waiting
//   route_with_waiters/N   every stream (4 on each backend) is held and N runs wait for one:
//                          release a stream, which wakes the longest waiting run that can use
//                          it; that run routes, takes the stream, and goes back to waiting for
//                          another (a release, two routing passes and the coroutine switches)
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace {

using namespace chimera;
using service::awaitable;
using service::backend_fleet;
using service::backend_route;
using service::stream_slot;

constexpr std::size_t backends = 8;
constexpr std::size_t streams_each = 4;

/// 8 backends, each up and listing m1 (all) and m2 (the first half).
struct fleet_fixture {
    boost::asio::io_context io;
    service::service_metrics metrics;
    backend_fleet fleet{io.get_executor(), settings(), metrics};

    fleet_fixture() {
        std::size_t i = 0;
        for (const auto& backend : fleet.backends()) {
            std::vector<std::string> models{"m1:latest"};
            if (i++ < backends / 2) models.emplace_back("m2:latest");
            backend->monitor().observe({true, "ollama 0.9.0", "0.9.0"}, std::move(models));
        }
    }

    static std::vector<service::backend_settings> settings() {
        std::vector<service::backend_settings> out;
        for (std::size_t i = 0; i < backends; ++i) {
            service::backend_settings s;
            s.name = std::string{"b"}.append(std::to_string(i));  // not "b" + …: GCC 12 -Wrestrict
            s.endpoint = {"127.0.0.1", std::to_string(20000 + i)};
            s.max_streams = streams_each;
            out.push_back(std::move(s));
        }
        return out;
    }
};

/// One routing decision per benchmark iteration: a free stream reserved and released.
awaitable<void> reserve_and_release(benchmark::State& state,
                                    backend_fleet& fleet,
                                    const backend_route& route,
                                    service::run_cancellation& cancellation) {
    for (auto _ : state) {
        auto slot = co_await fleet.reserve(route, cancellation);
        benchmark::DoNotOptimize(&slot.backend());
    }
}

/// A run that takes every stream routing gives it and waits for the next.
awaitable<void> take_streams(backend_fleet& fleet,
                             const backend_route& route,
                             service::run_cancellation& cancellation,
                             std::deque<stream_slot>& held) {
    for (;;) held.push_back(co_await fleet.reserve(route, cancellation));
}

void route_free_stream(benchmark::State& state) {
    fleet_fixture f;
    const backend_route route{{}, "m1", nullptr};
    service::run_cancellation cancellation;
    boost::asio::co_spawn(f.io, reserve_and_release(state, f.fleet, route, cancellation), boost::asio::detached);
    f.io.run();
    state.SetItemsProcessed(state.iterations());
}

void route_with_waiters(benchmark::State& state) {
    fleet_fixture f;
    const auto waiting = static_cast<std::size_t>(state.range(0));
    // Half the runs ask for m1 (any backend), half for m2 (the first four).
    const backend_route any{{}, "m1", nullptr};
    const backend_route half{{}, "m2", nullptr};
    std::deque<stream_slot> held;
    std::vector<service::run_cancellation> cancellations(waiting + backends * streams_each);
    std::size_t next = 0;
    // Every stream taken, then every other run waiting.
    for (std::size_t i = 0; i < backends * streams_each + waiting; ++i) {
        boost::asio::co_spawn(f.io, take_streams(f.fleet, i % 2 == 0 ? any : half, cancellations[next++], held),
                              boost::asio::detached);
    }
    f.io.poll();
    if (held.size() != backends * streams_each) {
        state.SkipWithError("the streams were not all taken");
        return;
    }
    for (auto _ : state) {
        held.pop_front();  // released: the longest waiting run that can use it takes it
        f.io.poll();
    }
    if (held.size() != backends * streams_each) state.SkipWithError("a released stream was not taken again");
    state.SetItemsProcessed(state.iterations());
    state.counters["streams_held"] = static_cast<double>(held.size());
    // Every run ends (cancelled while it waits) before the streams it held are given back.
    for (auto& cancellation : cancellations) cancellation.cancel(core::cancel_reason::drain);
    f.io.poll();
    held.clear();
}

}  // namespace

BENCHMARK(route_free_stream);
BENCHMARK(route_with_waiters)->Arg(100)->Arg(1000);

BENCHMARK_MAIN();
