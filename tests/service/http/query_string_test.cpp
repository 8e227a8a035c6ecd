#include "chimera/http/query_string.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

query_params parsed(std::string_view target) {
    auto result = parse_query(target);
    EXPECT_TRUE(std::holds_alternative<query_params>(result)) << target;
    return std::get<query_params>(result);
}

query_error refused(std::string_view target) {
    auto result = parse_query(target);
    EXPECT_TRUE(std::holds_alternative<query_error>(result)) << target;
    return std::get<query_error>(result);
}

TEST(query_string, no_query_is_empty) { EXPECT_TRUE(parsed("/runs").empty()); }

TEST(query_string, decodes_percent_escapes_and_plus) {
    const auto params = parsed("/runs?label=sweep%20a+b&model=gemma3%3Alatest");
    EXPECT_EQ(params.at("label"), "sweep a b");
    EXPECT_EQ(params.at("model"), "gemma3:latest");
}

TEST(query_string, empty_pairs_are_skipped_and_missing_values_are_empty) {
    const auto params = parsed("/runs?&status=&&limit=5");
    EXPECT_EQ(params.at("status"), "");
    EXPECT_EQ(params.at("limit"), "5");
    EXPECT_EQ(params.size(), 2U);
}

TEST(query_string, refuses_broken_escapes) {
    EXPECT_EQ(refused("/runs?label=%4").detail, "malformed percent-encoding in the query string");
    refused("/runs?label=%zz");
    refused("/runs?label=%");
}

TEST(query_string, refuses_repeated_parameters_naming_them) {
    EXPECT_EQ(refused("/runs?status=failed&status=queued").parameter, "status");
}

}  // namespace
}  // namespace chimera::service
