#include "progress_display.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace chimera::service {
namespace {

constexpr std::size_t default_columns = 80;

std::size_t columns_of(std::FILE* out) {
    winsize size{};
    if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return default_columns;
}

}  // namespace

progress_display::progress_display(std::size_t total, std::FILE* out)
    : out_(out), terminal_(::isatty(::fileno(out)) == 1), start_(std::chrono::steady_clock::now()) {
    progress_.total = total;
    if (terminal_) ticker_ = std::jthread{[this](const std::stop_token& stop) { tick(stop); }};
}

progress_display::~progress_display() {
    ticker_.request_stop();
    tick_wait_.notify_all();
}

void progress_display::tick(const std::stop_token& stop) {
    std::unique_lock lock{mutex_};
    while (!tick_wait_.wait_for(lock, stop, std::chrono::seconds{1}, [] { return false; })) {
        if (stop.stop_requested()) return;
        if (progress_.current.empty()) continue;  // between runs the line is already current
        update_elapsed();
        redraw();
    }
}

void progress_display::update_elapsed() {
    progress_.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void progress_display::redraw() {
    // Carriage return and erase-line: the line is rewritten in place, whatever its length was.
    std::fprintf(out_, "\r\x1b[K%s", core::progress_line(progress_, columns_of(out_)).c_str());
    std::fflush(out_);
    drawn_ = true;
}

void progress_display::run_started(const std::string& label) {
    const std::lock_guard lock{mutex_};
    progress_.current = label;
    update_elapsed();
    if (terminal_) redraw();
}

void progress_display::run_ended(const std::string& label, const core::run_document& run) {
    const std::lock_guard lock{mutex_};
    ++progress_.done;
    if (run.status != core::run_status::succeeded) ++progress_.failed;
    const auto last = std::find_if(run.calls.rbegin(), run.calls.rend(), core::completed);
    if (last != run.calls.rend()) progress_.last_tok_s = last->tokens_per_second;
    progress_.current.clear();
    update_elapsed();
    progress_.ended_at_seconds = progress_.elapsed_seconds;
    if (terminal_) {
        redraw();
        return;
    }
    std::fprintf(out_, "%s\n", core::run_ended_line(progress_, label, core::to_string(run.status)).c_str());
    std::fflush(out_);
}

void progress_display::close() {
    ticker_.request_stop();
    tick_wait_.notify_all();
    const std::lock_guard lock{mutex_};
    if (!drawn_) return;
    std::fputc('\n', out_);
    std::fflush(out_);
    drawn_ = false;
}

}  // namespace chimera::service
