#include "chimera/core/run/run_failure.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "chimera/core/run/failure_type.hpp"

namespace chimera::core {
namespace {

// The wire values of `error.type`, as clients and dashboards know them (docs/architecture.md).
const std::set<std::string> documented_types{"backend_unavailable",
                                             "backend_error",
                                             "backend_protocol_error",
                                             "stream_truncated",
                                             "timeout",
                                             "cancelled",
                                             "ingest_failed",
                                             "ingest_limit_exceeded",
                                             "no_benchmark_files",
                                             "attempts_exhausted",
                                             "invalid_stored_request",
                                             "data_dir_refused",
                                             "unsupported_options",
                                             "internal_error"};

TEST(failure_type, every_documented_wire_value_parses_and_prints_back_unchanged) {
    for (const auto& wire : documented_types) {
        const auto type = parse_failure_type(wire);
        ASSERT_TRUE(type.has_value()) << wire;
        EXPECT_EQ(to_string(*type), wire);
    }
}

TEST(failure_type, every_type_prints_a_documented_value_of_its_own) {
    std::set<std::string> printed;
    for (int i = 0; i <= static_cast<int>(failure_type::internal_error); ++i) {
        printed.emplace(to_string(static_cast<failure_type>(i)));
    }
    EXPECT_EQ(printed, documented_types);
}

TEST(failure_type, an_unknown_value_is_not_guessed) {
    EXPECT_FALSE(parse_failure_type("ollama_unreachable").has_value());
    EXPECT_FALSE(parse_failure_type("").has_value());
    EXPECT_FALSE(parse_failure_type("Timeout").has_value());
}

TEST(run_failure, connection_failures_are_unavailable_and_safe_to_retry) {
    const auto failure = run_failure::unreachable("cannot connect");
    EXPECT_EQ(failure.type(), failure_type::backend_unavailable);
    EXPECT_EQ(failure.outcome(), llm_outcome::connect_error);
    EXPECT_TRUE(failure.retryable());
    EXPECT_STREQ(failure.what(), "cannot connect");
}

TEST(run_failure, a_close_before_the_answer_is_retried_only_when_nothing_arrived) {
    EXPECT_TRUE(run_failure::closed_before_answer("reset", call_retry::safe).retryable());
    EXPECT_FALSE(run_failure::closed_before_answer("reset", call_retry::unsafe).retryable());
    EXPECT_EQ(run_failure::closed_before_answer("reset", call_retry::safe).type(), failure_type::backend_unavailable);
}

TEST(run_failure, http_statuses_split_into_unavailable_and_error_and_only_503_is_retried) {
    const auto busy = run_failure::http_status(503, "busy");
    EXPECT_EQ(busy.type(), failure_type::backend_unavailable);
    EXPECT_TRUE(busy.retryable());
    const auto crashed = run_failure::http_status(500, "crash");
    EXPECT_EQ(crashed.type(), failure_type::backend_unavailable);
    EXPECT_FALSE(crashed.retryable());
    const auto missing = run_failure::http_status(404, "model not found");
    EXPECT_EQ(missing.type(), failure_type::backend_error);
    EXPECT_FALSE(missing.retryable());
    EXPECT_EQ(missing.outcome(), llm_outcome::http_error);
}

TEST(run_failure, stream_failures_name_how_the_call_ended_and_are_never_retried) {
    const auto midstream = run_failure::midstream_error("oom");
    EXPECT_EQ(midstream.type(), failure_type::backend_error);
    EXPECT_EQ(midstream.outcome(), llm_outcome::midstream_error);
    const auto protocol = run_failure::protocol_error("not ndjson");
    EXPECT_EQ(protocol.type(), failure_type::backend_protocol_error);
    EXPECT_EQ(protocol.outcome(), llm_outcome::midstream_error);
    const auto truncated = run_failure::truncated("no done");
    EXPECT_EQ(truncated.type(), failure_type::stream_truncated);
    EXPECT_EQ(truncated.outcome(), llm_outcome::truncated);
    const auto cancelled = run_failure::cancelled("stopped");
    EXPECT_EQ(cancelled.type(), failure_type::cancelled);
    EXPECT_EQ(cancelled.outcome(), llm_outcome::cancelled);
    for (const auto* failure : {&midstream, &protocol, &truncated, &cancelled}) EXPECT_FALSE(failure->retryable());
}

TEST(run_failure, timeouts_are_retried_only_when_the_caller_says_so) {
    EXPECT_TRUE(run_failure::timed_out("connect-timeout fired", call_retry::safe).retryable());
    const auto idle = run_failure::timed_out("idle-timeout fired", call_retry::unsafe);
    EXPECT_FALSE(idle.retryable());
    EXPECT_EQ(idle.type(), failure_type::timeout);
    EXPECT_EQ(idle.outcome(), llm_outcome::timeout);
}

TEST(run_failure, the_final_report_of_several_attempts_keeps_the_type_and_is_not_retried) {
    const auto last = run_failure::unreachable("cannot connect").final_after(" (after 3 attempts)");
    EXPECT_EQ(last.type(), failure_type::backend_unavailable);
    EXPECT_EQ(last.outcome(), llm_outcome::connect_error);
    EXPECT_FALSE(last.retryable());
    EXPECT_STREQ(last.what(), "cannot connect (after 3 attempts)");
}

TEST(run_failure, failures_outside_the_calls_carry_their_type) {
    const auto failure = run_failure::of_run(failure_type::no_benchmark_files, "nothing to analyse");
    EXPECT_EQ(failure.type(), failure_type::no_benchmark_files);
    EXPECT_FALSE(failure.retryable());
}

}  // namespace
}  // namespace chimera::core
