#include "cli_flags.hpp"

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using testing::IsSubstring;

cli_flags flags_of(std::vector<std::string> args) {
    const auto argv = test::argv_of(args);
    return cli_flags{argv, {"model", "workers"}, {"verbose"}};
}

std::string parse_error(std::vector<std::string> args) {
    return test::invalid_argument_of([&] { (void)flags_of(std::move(args)); });
}

std::string count_error(const std::string& text) {
    const auto flags = flags_of({"--workers", text});
    return test::invalid_argument_of([&] { (void)flags.get_count("workers", 2, 1, 8); });
}

TEST(cli_flags, reads_name_equals_value) {
    const auto flags = flags_of({"--model=llama3:8b"});
    EXPECT_TRUE(flags.has("model"));
    EXPECT_EQ(flags.get("model"), "llama3:8b");
}

TEST(cli_flags, reads_name_then_value) { EXPECT_EQ(flags_of({"--model", "llama3:8b"}).get("model"), "llama3:8b"); }

TEST(cli_flags, value_after_equals_may_be_empty_or_hold_equals) {
    EXPECT_EQ(flags_of({"--model="}).get("model"), "");
    EXPECT_EQ(flags_of({"--model=a=b"}).get("model"), "a=b");
}

TEST(cli_flags, absent_flag_falls_back) {
    const auto flags = flags_of({});
    EXPECT_FALSE(flags.has("model"));
    EXPECT_EQ(flags.get("model"), std::nullopt);
    EXPECT_EQ(flags.get_or("model", "gemma3"), "gemma3");
    EXPECT_EQ(flags.get_count("workers", 2, 1, 8), 2u);
}

TEST(cli_flags, later_occurrence_wins) { EXPECT_EQ(flags_of({"--model", "a", "--model=b"}).get("model"), "b"); }

TEST(cli_flags, switch_takes_no_value) {
    const auto flags = flags_of({"--verbose", "--model", "m"});
    EXPECT_TRUE(flags.has("verbose"));
    EXPECT_EQ(flags.get("model"), "m");
}

TEST(cli_flags, unknown_flag_is_named) { EXPECT_PRED_FORMAT2(IsSubstring, "--modle", parse_error({"--modle", "m"})); }

TEST(cli_flags, missing_value_is_named) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--model needs a value", parse_error({"--verbose", "--model"}));
}

TEST(cli_flags, positional_argument_is_refused) {
    EXPECT_PRED_FORMAT2(IsSubstring, "unexpected argument 'serve'", parse_error({"serve"}));
}

TEST(cli_flags, count_is_parsed_within_inclusive_range) {
    EXPECT_EQ(flags_of({"--workers", "8"}).get_count("workers", 2, 1, 8), 8u);
    EXPECT_EQ(flags_of({"--workers=1"}).get_count("workers", 2, 1, 8), 1u);
}

TEST(cli_flags, count_outside_range_or_malformed_is_refused_naming_flag) {
    for (const auto* text : {"0", "9", "-1", "3x", "", " 3", "1e3", "99999999999999999999999"}) {
        EXPECT_PRED_FORMAT2(IsSubstring, "--workers must be a whole number from 1 to 8", count_error(text)) << text;
    }
}

TEST(cli_flags, every_occurrence_is_kept_in_order) {
    const auto flags = flags_of({"--model", "a", "--model=b", "--workers", "2"});
    EXPECT_EQ(flags.get_all("model"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(flags.get_all("workers"), std::vector<std::string>{"2"});
    EXPECT_TRUE(flags.get_all("verbose").empty());
}

}  // namespace
}  // namespace chimera::service
