#include "chimera/http/bearer_tokens.hpp"

#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

TEST(bearer_tokens, one_token_a_line_without_blanks_comments_or_surrounding_space) {
    const auto tokens = bearer_tokens::parse("# rotation 2024-06\nalpha-1\n\n  beta-2 \r\n#gamma\n");
    EXPECT_EQ(tokens.size(), 2U);
    EXPECT_TRUE(tokens.accepts("Bearer alpha-1"));
    EXPECT_TRUE(tokens.accepts("Bearer beta-2"));
    EXPECT_FALSE(tokens.accepts("Bearer gamma"));
    EXPECT_FALSE(tokens.accepts("Bearer #gamma"));
}

TEST(bearer_tokens, scheme_is_case_insensitive_and_the_token_exact) {
    const auto tokens = bearer_tokens::parse("s3cret\n");
    EXPECT_TRUE(tokens.accepts("bearer s3cret"));
    EXPECT_TRUE(tokens.accepts("BEARER s3cret"));
    EXPECT_FALSE(tokens.accepts("Bearer S3cret"));
    EXPECT_FALSE(tokens.accepts("Bearer s3cre"));
    EXPECT_FALSE(tokens.accepts("Bearer s3crets3cret")) << "a repetition of the token is not the token";
    EXPECT_FALSE(tokens.accepts("Bearer s3cret2"));
    EXPECT_FALSE(tokens.accepts("Basic s3cret"));
    EXPECT_FALSE(tokens.accepts("s3cret"));
    EXPECT_FALSE(tokens.accepts("Bearer "));
    EXPECT_FALSE(tokens.accepts(""));
}

TEST(bearer_tokens, load_reads_a_file_and_refuses_an_empty_or_missing_one) {
    test::temp_dir dir;
    std::ofstream{dir.path() / "tokens"} << "one\ntwo\n";
    EXPECT_EQ(bearer_tokens::load(dir.path() / "tokens").size(), 2U);
    std::ofstream{dir.path() / "empty"} << "# nothing yet\n\n";
    EXPECT_THROW((void)bearer_tokens::load(dir.path() / "empty"), std::invalid_argument);
    EXPECT_THROW((void)bearer_tokens::load(dir.path() / "missing"), std::invalid_argument);
}

}  // namespace
}  // namespace chimera::service
