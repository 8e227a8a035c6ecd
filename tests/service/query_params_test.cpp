#include "query_params.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

TEST(query_params, finds_a_parameter_among_others) {
    EXPECT_EQ(query_param("/runs/x/report?kind=agent", "kind"), "agent");
    EXPECT_EQ(query_param("/runs/x/report?a=1&kind=agent&b=2", "kind"), "agent");
    EXPECT_EQ(query_param("/runs/x/report?a=1&kind=agent&b=2", "b"), "2");
}

TEST(query_params, is_absent_without_query_or_parameter) {
    EXPECT_EQ(query_param("/runs/x/report", "kind"), std::nullopt);
    EXPECT_EQ(query_param("/runs/x/report?", "kind"), std::nullopt);
    EXPECT_EQ(query_param("/runs/x/report?kinds=agent&akind=x", "kind"), std::nullopt);
    EXPECT_EQ(query_param("/runs/x/report#kind=agent", "kind"), std::nullopt);
}

TEST(query_params, first_occurrence_wins_and_bare_names_are_empty) {
    EXPECT_EQ(query_param("/r?kind=llm&kind=agent", "kind"), "llm");
    EXPECT_EQ(query_param("/r?kind", "kind"), "");
    EXPECT_EQ(query_param("/r?kind=", "kind"), "");
    EXPECT_EQ(query_param("/r?&&kind=agent", "kind"), "agent");
}

TEST(query_params, percent_decodes_names_and_values) {
    EXPECT_EQ(query_param("/r?k%69nd=%61gent", "kind"), "agent");
    EXPECT_EQ(query_param("/r?q=a+b%2Bc%2fd", "q"), "a b+c/d");
    EXPECT_EQ(query_param("/r?kind=agent#frag", "kind"), "agent");
}

TEST(query_params, keeps_malformed_escapes_as_they_are) {
    EXPECT_EQ(query_param("/r?q=100%", "q"), "100%");
    EXPECT_EQ(query_param("/r?q=%zz", "q"), "%zz");
    EXPECT_EQ(query_param("/r?q=%4", "q"), "%4");
}

}  // namespace
}  // namespace chimera::service
