#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chimera/asio/awaitable.hpp"
#include "chimera/runs/store_calls.hpp"

namespace chimera::service {

class run_store;
class service_metrics;

/// Whether the run store and the state directory beside it can be written now: while they
/// cannot (a full disk), /readyz answers 503 so the balancer sends requests elsewhere, and
/// `chimera_store_writable` is 0. Every store write that fails or succeeds says so here, and
/// a small write of each is tried on a timer, so a full disk is noticed before a request
/// finds it and a freed one without waiting for traffic that readiness holds off.
/// Used on the io thread only.
class store_monitor {
public:
    store_monitor(boost::asio::any_io_executor executor,
                  run_store& store,
                  std::filesystem::path state_dir,
                  service_metrics& metrics,
                  store_calls calls = {},
                  std::chrono::milliseconds interval = std::chrono::seconds{2});

    /// Checks the state directory at once, then the store and the directory on the timer.
    void start();
    void stop();

    void write_failed(std::string_view detail);
    void write_succeeded();

    [[nodiscard]] bool writable() const { return writable_; }
    /// Why not, when not writable.
    [[nodiscard]] const std::string& detail() const { return detail_; }

private:
    /// A write of a file in the state directory and, `with_store`, of the store; updates the state.
    awaitable<void> check(bool with_store);
    awaitable<void> watch();

    boost::asio::steady_timer timer_;
    run_store& store_;
    std::filesystem::path probe_file_;
    service_metrics& metrics_;
    store_calls calls_;
    std::chrono::milliseconds interval_;
    bool writable_ = true;
    std::string detail_;
    bool stopped_ = false;
};

}  // namespace chimera::service
