#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "chimera/core/run/run_document.hpp"
#include "chimera/core/run/run_progress.hpp"

namespace chimera::service {

/// The progress of runs executed one after the other, on stderr (stdout carries the report, which
/// may be piped): on a terminal one line redrawn in place (core::progress_line) as runs start and
/// end and every second between, so that elapsed time moves during a long run; otherwise one
/// line per ended run (core::run_ended_line), which a log or CI output keeps readable.
class progress_display {
public:
    explicit progress_display(std::size_t total, std::FILE* out = stderr);
    ~progress_display();
    progress_display(const progress_display&) = delete;
    progress_display& operator=(const progress_display&) = delete;

    void run_started(const std::string& label);
    void run_ended(const std::string& label, const core::run_document& run);
    /// Ends the redrawn line, so that what is printed next starts on a line of its own.
    void close();

private:
    void redraw();
    void update_elapsed();
    void tick(const std::stop_token& stop);

    std::FILE* out_;
    bool terminal_;
    bool drawn_ = false;
    core::run_progress progress_;
    std::chrono::steady_clock::time_point start_;
    /// Guards the line: the ticker redraws it from its own thread.
    std::mutex mutex_;
    std::condition_variable_any tick_wait_;
    std::jthread ticker_;  ///< on a terminal only; last member: stopped and joined first
};

}  // namespace chimera::service
