#include "chimera/runs/store_monitor.hpp"

#include <fstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "chimera/store/run_store.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

namespace {

/// Run documents and reports are a few KB each: a probe of that size fails where they would.
constexpr std::size_t probe_bytes = 16384;

void write_probe_file(const std::filesystem::path& file) {
    {
        std::ofstream out{file, std::ios::binary | std::ios::trunc};
        const std::string block(probe_bytes, '\0');
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(file, ignored);
            throw std::filesystem::filesystem_error("cannot write", file, std::make_error_code(std::errc::io_error));
        }
    }
    std::filesystem::remove(file);
}

}  // namespace

store_monitor::store_monitor(asio::any_io_executor executor,
                             run_store& store,
                             std::filesystem::path state_dir,
                             service_metrics& metrics,
                             store_calls calls,
                             std::chrono::milliseconds interval)
    : timer_(std::move(executor)),
      store_(store),
      probe_file_(std::move(state_dir) / ".write-probe"),
      metrics_(metrics),
      calls_(calls),
      interval_(interval) {
    metrics_.set_store_writable(true);
}

void store_monitor::start() {
    asio::co_spawn(timer_.get_executor(), watch(), [](const std::exception_ptr& failure) {
        if (failure) spdlog::error("the store monitor stopped unexpectedly");
    });
}

void store_monitor::stop() {
    stopped_ = true;
    timer_.cancel();
}

void store_monitor::write_failed(std::string_view detail) {
    detail_ = detail;
    if (!writable_) return;
    writable_ = false;
    metrics_.set_store_writable(false);
    spdlog::error("the run store cannot write: {}; /readyz answers 503 and new runs are refused until it can", detail_);
}

void store_monitor::write_succeeded() {
    if (writable_) return;
    writable_ = true;
    detail_.clear();
    metrics_.set_store_writable(true);
    spdlog::info("the run store can write again; ready");
}

awaitable<void> store_monitor::check(bool with_store) {
    try {
        co_await calls_([this, with_store] {
            if (with_store) store_.check_writable();
            write_probe_file(probe_file_);
        });
        write_succeeded();
    } catch (const store_error& e) {
        write_failed(e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        write_failed(std::string{"the state directory: "} + e.what());
    }
}

awaitable<void> store_monitor::watch() {
    // The process's first write of an SQLite store creates its WAL, which SQLite syncs with the
    // directory: two syncs that a start would make its first answer wait for (a millisecond on
    // an idle disk, several on a busy one) though no commit needs them yet. So the first check
    // writes the state directory only (a full disk fails it alike), and the store from the
    // next one on, as every interval after; a request's write that fails reports it at once.
    bool with_store = false;
    while (!stopped_) {
        co_await check(with_store);
        with_store = true;
        timer_.expires_after(interval_);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace chimera::service
