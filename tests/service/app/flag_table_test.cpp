#include "flag_table.hpp"

#include <stdlib.h>

#include <gtest/gtest.h>

#include "flag_kinds.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using testing::IsSubstring;

struct part {
    std::string model = "gemma3";
};

struct settings {
    std::size_t workers = 2;
    std::chrono::milliseconds lease{30'000};
    std::uint64_t max_bytes = std::uint64_t{16} << 20;
    std::vector<std::string> roots{"."};
    part inner;
};

flag_table<settings> table() {
    return joined<settings>({
        {count_flag("workers", "runs at once", &settings::workers, 1, 8),
         duration_flag("lease", "a claim", &settings::lease),
         size_flag("max-bytes", "bytes read", &settings::max_bytes, std::uint64_t{1} << 30),
         {"root", "DIR", "where data lives;\nrepeatable",
          [](settings& s, std::string_view, const flag_values& values) { s.roots = values; },
          [](const settings& s) { return s.roots.front(); }}},
        flags_of_member(&settings::inner, flag_table<part>{text_flag("model", "NAME", "the model", &part::model)}),
    });
}

settings parsed(std::vector<std::string> args) {
    settings s;
    apply_flags(table(), test::argv_of(args), s);
    return s;
}

std::string parse_error(std::vector<std::string> args) {
    return test::invalid_argument_of([&] { (void)parsed(std::move(args)); });
}

TEST(flag_table, flags_not_given_keep_the_defaults) {
    const auto s = parsed({});
    EXPECT_EQ(s.workers, 2U);
    EXPECT_EQ(s.lease, 30s);
    EXPECT_EQ(s.inner.model, "gemma3");
}

TEST(flag_table, reads_name_equals_value_and_name_then_value) {
    const auto s = parsed({"--workers=8", "--lease", "250ms", "--max-bytes", "64K", "--model", "llama3:8b"});
    EXPECT_EQ(s.workers, 8U);
    EXPECT_EQ(s.lease, 250ms);
    EXPECT_EQ(s.max_bytes, 65536U);
    EXPECT_EQ(s.inner.model, "llama3:8b");
}

TEST(flag_table, value_after_equals_may_be_empty_or_hold_equals) {
    EXPECT_EQ(parsed({"--model="}).inner.model, "");
    EXPECT_EQ(parsed({"--model=a=b"}).inner.model, "a=b");
}

TEST(flag_table, the_last_occurrence_wins_and_a_repeatable_flag_keeps_every_one) {
    EXPECT_EQ(parsed({"--model", "a", "--model=b"}).inner.model, "b");
    EXPECT_EQ(parsed({"--root", "a", "--workers", "3", "--root=b"}).roots, (std::vector<std::string>{"a", "b"}));
}

TEST(flag_table, unknown_flags_missing_values_and_stray_arguments_are_named) {
    EXPECT_PRED_FORMAT2(IsSubstring, "unknown flag --modle", parse_error({"--modle", "m"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--model needs a value", parse_error({"--workers", "2", "--model"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "unexpected argument 'serve'", parse_error({"serve"}));
}

TEST(flag_table, a_count_outside_its_range_or_malformed_is_refused_naming_the_flag) {
    for (const auto* text : {"0", "9", "-1", "3x", "", " 3", "1e3", "99999999999999999999999"}) {
        EXPECT_PRED_FORMAT2(IsSubstring, "--workers must be a whole number from 1 to 8",
                            parse_error({"--workers", text}))
            << text;
    }
}

TEST(flag_table, help_lists_every_flag_with_its_value_and_the_default_read_from_the_settings) {
    settings defaults;
    defaults.workers = 5;
    const auto usage = flag_usage(table(), defaults);
    EXPECT_PRED_FORMAT2(IsSubstring, "  --workers N               runs at once (default 5)\n", usage);
    EXPECT_PRED_FORMAT2(IsSubstring, "  --lease D                 a claim (default 30s)\n", usage);
    EXPECT_PRED_FORMAT2(IsSubstring, "  --max-bytes SIZE          bytes read (default 16M)\n", usage);
    EXPECT_PRED_FORMAT2(IsSubstring, "  --model NAME              the model (default gemma3)\n", usage);
    EXPECT_PRED_FORMAT2(IsSubstring,
                        "  --root DIR                where data lives;\n                            repeatable "
                        "(default .)\n",
                        usage);
}

TEST(flag_table, a_flag_not_given_takes_its_environment_variable) {
    auto with_env = table();
    with_env.front().environment = "CHIMERA_TEST_WORKERS";
    ::setenv("CHIMERA_TEST_WORKERS", "7", 1);
    std::vector<std::string> none;
    std::vector<std::string> given{"--workers", "3"};
    settings from_env;
    apply_flags(with_env, test::argv_of(none), from_env);
    settings from_flag;
    apply_flags(with_env, test::argv_of(given), from_flag);
    ::unsetenv("CHIMERA_TEST_WORKERS");
    EXPECT_EQ(from_env.workers, 7U);
    EXPECT_EQ(from_flag.workers, 3U);
    EXPECT_PRED_FORMAT2(IsSubstring, "(default 2, or $CHIMERA_TEST_WORKERS)", flag_usage(with_env, settings{}));
}

}  // namespace
}  // namespace chimera::service
