#include "chimera/http/problem_response.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::service {
namespace {

using nlohmann::json;

http_request request_with_keep_alive(bool keep_alive) {
    http_request request{http::verb::post, "/runs", 11};
    request.keep_alive(keep_alive);
    return request;
}

TEST(make_problem, is_problem_json_with_rfc9457_members) {
    const auto response = make_problem(request_with_keep_alive(true), http::status::not_found, "no run with id abc");
    EXPECT_EQ(response.result(), http::status::not_found);
    EXPECT_EQ(response[http::field::content_type], "application/problem+json");
    EXPECT_EQ(response[http::field::content_length], std::to_string(response.body().size()));
    EXPECT_EQ(
        json::parse(response.body()),
        (json{{"type", "about:blank"}, {"title", "Not Found"}, {"status", 404}, {"detail", "no run with id abc"}}));
}

TEST(make_problem, names_field_only_when_given) {
    const auto with_field = json::parse(make_problem(request_with_keep_alive(true), http::status::bad_request,
                                                     "must be a number", "options.temperature")
                                            .body());
    EXPECT_EQ(with_field["field"], "options.temperature");
    EXPECT_EQ(with_field["title"], "Bad Request");
    const auto without_field =
        json::parse(make_problem(request_with_keep_alive(true), http::status::bad_request, "bad").body());
    EXPECT_FALSE(without_field.contains("field"));
}

TEST(make_problem, keep_alive_follows_request) {
    EXPECT_TRUE(make_problem(request_with_keep_alive(true), http::status::conflict, "x").keep_alive());
    EXPECT_FALSE(make_problem(request_with_keep_alive(false), http::status::conflict, "x").keep_alive());
}

TEST(make_problem, answers_in_request_http_version) {
    const http_request http10{http::verb::get, "/", 10};
    const auto response = make_problem(http10, http::status::not_found, "x");
    EXPECT_EQ(response.version(), 10u);
    EXPECT_FALSE(response.keep_alive());
}

TEST(make_problem, invalid_utf8_in_detail_is_replaced_not_thrown) {
    const auto response = make_problem(request_with_keep_alive(true), http::status::bad_request, "bad \xff byte");
    EXPECT_EQ(json::parse(response.body())["detail"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace chimera::service
