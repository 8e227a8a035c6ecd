#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "chimera/core/run/run_document.hpp"
#include "chimera/core/run/run_progress.hpp"

namespace chimera::service {

/// The progress of runs executed one after the other, on stderr (stdout carries the report, which
/// may be piped): on a terminal one line redrawn in place (core::progress_line), otherwise one
/// line per ended run (core::run_ended_line), which a log or CI output keeps readable.
class progress_display {
public:
    explicit progress_display(std::size_t total, std::FILE* out = stderr);

    void run_started(const std::string& label);
    void run_ended(const std::string& label, const core::run_document& run);
    /// Ends the redrawn line, so that what is printed next starts on a line of its own.
    void close();

private:
    void redraw();
    void update_elapsed();

    std::FILE* out_;
    bool terminal_;
    bool drawn_ = false;
    core::run_progress progress_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace chimera::service
