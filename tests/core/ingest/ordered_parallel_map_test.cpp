#include "ordered_parallel_map.hpp"

#include <atomic>
#include <latch>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

using int_map = ordered_parallel_map<int, int>;

std::function<int_map::worker()> doubling() {
    return [] { return [](int& n) { return 2 * n; }; };
}

TEST(ordered_parallel_map, results_come_back_in_submission_order_whatever_the_completion_order) {
    // Task 0 can only finish after task 7 has: on two threads, the results complete out of order.
    std::latch last_done{1};
    std::vector<int> consumed;
    {
        int_map map(
            2, 16,
            [&last_done] {
                return [&last_done](int& n) {
                    if (n == 0) last_done.wait();
                    if (n == 7) last_done.count_down();
                    return n;
                };
            },
            [&consumed](int&& n) { consumed.push_back(n); });
        for (int i = 0; i < 8; ++i) map.submit(i);
        map.finish();
    }
    EXPECT_EQ(consumed, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(ordered_parallel_map, ready_results_keep_their_place_among_the_tasks) {
    std::vector<int> consumed;
    int_map map(2, 4, doubling(), [&consumed](int&& n) { consumed.push_back(n); });
    map.submit(1);
    map.submit_result(-1);
    map.submit(2);
    map.submit_result(-2);
    map.submit(3);
    map.finish();
    EXPECT_EQ(consumed, (std::vector<int>{2, -1, 4, -2, 6}));
}

TEST(ordered_parallel_map, never_holds_more_than_the_window_in_flight) {
    constexpr std::size_t window = 3;
    std::size_t outstanding = 0;  // submitted, not yet consumed; touched by this thread only
    int_map map(2, window, doubling(), [&outstanding](int&&) { --outstanding; });
    for (int i = 0; i < 200; ++i) {
        ++outstanding;
        map.submit(i);
        ASSERT_LE(outstanding, window) << "after task " << i;
    }
    map.finish();
    EXPECT_EQ(outstanding, 0U);
}

TEST(ordered_parallel_map, a_failing_task_rethrows_on_the_submitting_thread) {
    int_map map(
        2, 4, [] { return [](int& n) { return n == 3 ? throw std::runtime_error("task 3 failed") : n; }; },
        [](int&&) {});
    EXPECT_THROW(
        {
            for (int i = 0; i < 10; ++i) map.submit(i);
            map.finish();
        },
        std::runtime_error);
}

TEST(ordered_parallel_map, one_thread_means_inline_work_on_the_caller) {
    const auto caller = std::this_thread::get_id();
    std::atomic<int> elsewhere{0};
    std::vector<int> consumed;
    int_map map(
        1, 4,
        [&] {
            return [&](int& n) {
                if (std::this_thread::get_id() != caller) ++elsewhere;
                return n;
            };
        },
        [&consumed](int&& n) { consumed.push_back(n); });
    for (int i = 0; i < 5; ++i) map.submit(i);
    map.finish();
    EXPECT_EQ(elsewhere.load(), 0);
    EXPECT_EQ(consumed, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ordered_parallel_map, each_worker_thread_gets_its_own_worker) {
    std::atomic<int> made{0};
    int_map map(
        3, 8,
        [&made] {
            ++made;
            return [](int& n) { return n; };
        },
        [](int&&) {});
    map.finish();
    EXPECT_EQ(made.load(), 3);
}

}  // namespace
}  // namespace chimera::core::detail
