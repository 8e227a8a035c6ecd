#include "chimera/core/run/run_progress.hpp"

#include <gtest/gtest.h>

#include "chimera/core/text/utf8.hpp"

namespace chimera::core {
namespace {

run_progress sweep_at(std::size_t done, double elapsed) {
    run_progress progress;
    progress.done = done;
    progress.total = 12;
    progress.elapsed_seconds = elapsed;
    progress.ended_at_seconds = elapsed;
    progress.current = "gpu60_ctx256_temp0.6";
    progress.last_tok_s = 98.44;
    return progress;
}

TEST(run_progress, eta_is_the_runs_left_at_the_mean_pace_so_far) {
    EXPECT_DOUBLE_EQ(*eta_seconds(sweep_at(3, 60)), 180);  // 20 s a run, 9 left
    EXPECT_DOUBLE_EQ(*eta_seconds(sweep_at(11, 110)), 10);
    EXPECT_DOUBLE_EQ(*eta_seconds(sweep_at(12, 120)), 0);
    EXPECT_FALSE(eta_seconds(sweep_at(0, 5)).has_value());
}

TEST(run_progress, eta_counts_down_while_a_run_is_in_flight) {
    auto progress = sweep_at(3, 60);  // 20 s a run, 9 left: 180 s at the third run's end
    progress.elapsed_seconds = 75;    // 15 s into the fourth
    EXPECT_DOUBLE_EQ(*eta_seconds(progress), 165);
    progress.elapsed_seconds = 300;  // far slower than the pace so far
    EXPECT_DOUBLE_EQ(*eta_seconds(progress), 0);
}

TEST(run_progress, durations_read_like_a_clock) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(7.4), "7s");
    EXPECT_EQ(format_duration(59.6), "1m00s");
    EXPECT_EQ(format_duration(65), "1m05s");
    EXPECT_EQ(format_duration(3600 + 3 * 60 + 20), "1h03m");
    EXPECT_EQ(format_duration(-3), "0s");
}

TEST(run_progress, the_line_has_count_config_elapsed_eta_and_last_throughput) {
    EXPECT_EQ(progress_line(sweep_at(3, 65), 200),
              "[3/12 25%] running gpu60_ctx256_temp0.6 | elapsed 1m05s | ETA 3m15s | last call 98.4 tok/s");
    auto first = sweep_at(0, 2);
    first.last_tok_s.reset();
    EXPECT_EQ(progress_line(first, 200), "[0/12 0%] running gpu60_ctx256_temp0.6 | elapsed 2s | ETA ?");
}

TEST(run_progress, failures_are_counted_on_the_line) {
    auto progress = sweep_at(4, 40);
    progress.failed = 1;
    progress.current.clear();
    EXPECT_EQ(progress_line(progress, 200), "[4/12 33%] | elapsed 40s | ETA 1m20s | last call 98.4 tok/s | 1 failed");
}

TEST(run_progress, the_line_fits_the_terminal_short_of_its_last_column) {
    auto progress = sweep_at(3, 65);
    progress.current = "ümlaut_ümlaut_ümlaut_ümlaut";
    for (const std::size_t columns : {20U, 40U, 80U}) {
        const auto line = progress_line(progress, columns);
        EXPECT_EQ(detail::utf8_length(line), columns - 1);
        EXPECT_FALSE(detail::find_invalid_utf8(line).has_value());
    }
}

TEST(run_progress, escape_sequences_in_a_label_are_shown_not_sent) {
    auto progress = sweep_at(1, 10);
    progress.current = "evil\x1b[2J";
    EXPECT_EQ(progress_line(progress, 200).find('\x1b'), std::string::npos);
    EXPECT_EQ(run_ended_line(progress, "x\x1b]0;t\x07", "succeeded").find('\x1b'), std::string::npos);
}

TEST(run_progress, an_ended_run_is_one_line) {
    EXPECT_EQ(run_ended_line(sweep_at(3, 65), "baseline", "succeeded"),
              "run 3/12 baseline succeeded | elapsed 1m05s | ETA 3m15s | last call 98.4 tok/s");
}

}  // namespace
}  // namespace chimera::core
