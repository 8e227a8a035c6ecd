// When the store monitor writes what: an SQLite store's first write of a process creates its WAL
// with two syncs, so the check at start writes the state directory only and the checks on the
// timer write the store too.
#include "chimera/runs/store_monitor.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "chimera/store/sqlite_run_store.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

std::uintmax_t wal_bytes(const std::filesystem::path& state_dir) {
    std::error_code missing;
    const auto size = std::filesystem::file_size(state_dir / "runs.db-wal", missing);
    return missing ? 0 : size;
}

/// A state directory an earlier start made and left cleanly: its store's WAL is empty.
struct earlier_state_dir {
    earlier_state_dir() { sqlite_run_store{dir.path()}; }
    test::temp_dir dir;
};

TEST(store_monitor_test, the_check_at_start_writes_the_state_directory_but_not_the_store) {
    earlier_state_dir state;
    sqlite_run_store store{state.dir.path()};
    // A directory where the probe file goes: the state directory's write fails, observably.
    std::filesystem::create_directory(state.dir.path() / ".write-probe");
    service_metrics metrics;
    boost::asio::io_context io{1};
    store_monitor monitor{io.get_executor(), store, state.dir.path(), metrics, {}, std::chrono::hours{1}};
    monitor.start();
    io.poll();  // the check at start, to its end; the next waits an hour
    EXPECT_FALSE(monitor.writable()) << "the state directory was written";
    EXPECT_EQ(wal_bytes(state.dir.path()), 0U) << "the store was not";
    monitor.stop();
    io.poll();
}

TEST(store_monitor_test, the_checks_on_the_timer_write_the_store) {
    earlier_state_dir state;
    sqlite_run_store store{state.dir.path()};
    service_metrics metrics;
    boost::asio::io_context io{1};
    store_monitor monitor{io.get_executor(), store, state.dir.path(), metrics, {}, 0ms};
    monitor.start();
    for (int step = 0; step < 1000 && wal_bytes(state.dir.path()) == 0; ++step) io.run_one_for(100ms);
    EXPECT_GT(wal_bytes(state.dir.path()), 0U);
    EXPECT_TRUE(monitor.writable());
    monitor.stop();
    io.poll();
}

}  // namespace
}  // namespace chimera::service
