#include "chimera/http/router.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chimera/http/problem_response.hpp"

namespace chimera::service {
namespace {

using nlohmann::json;

http_response text_reply(const http_request& request, std::string body) {
    return make_response(request, http::status::ok, "text/plain", std::move(body));
}

/// GET/DELETE /runs/{id}, POST /runs, GET /runs/{id}/report (asynchronous) and a
/// GET /boom whose handler throws.
router sample_router() {
    router routes;
    routes.add_sync(http::verb::post, "/runs",
                    [](const http_request& request, const path_params&) { return text_reply(request, "created"); });
    routes.add_sync(http::verb::get, "/runs/{id}", [](const http_request& request, const path_params& params) {
        return text_reply(request, "get " + params.at(0));
    });
    routes.add_sync(http::verb::delete_, "/runs/{id}", [](const http_request& request, const path_params& params) {
        return text_reply(request, "delete " + params.at(0));
    });
    routes.add(http::verb::get, "/runs/{id}/report",
               [](const http_request& request, const path_params& params) -> awaitable<http_response> {
                   co_return text_reply(request, "report " + params.at(0));
               });
    routes.add_sync(http::verb::get, "/boom", [](const http_request&, const path_params&) -> http_response {
        throw std::runtime_error("secret-token-123 leaked");
    });
    return routes;
}

http_response dispatch(const router& routes, http::verb method, std::string_view target) {
    const http_request request{method, target, 11};
    boost::asio::io_context io;
    auto response = boost::asio::co_spawn(io, routes.dispatch(request), boost::asio::use_future);
    io.run();
    return response.get();
}

json problem_of(const http_response& response) {
    EXPECT_EQ(response[http::field::content_type], "application/problem+json");
    return json::parse(response.body());
}

class router_dispatch : public testing::Test {
protected:
    router routes_ = sample_router();
};

TEST_F(router_dispatch, calls_matching_route_with_captured_param) {
    const auto response = dispatch(routes_, http::verb::get, "/runs/abc-123");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response.body(), "get abc-123");
}

TEST_F(router_dispatch, picks_route_by_method_on_same_path) {
    EXPECT_EQ(dispatch(routes_, http::verb::delete_, "/runs/x").body(), "delete x");
    EXPECT_EQ(dispatch(routes_, http::verb::post, "/runs").body(), "created");
}

TEST_F(router_dispatch, awaits_asynchronous_handler) {
    EXPECT_EQ(dispatch(routes_, http::verb::get, "/runs/r1/report").body(), "report r1");
}

TEST_F(router_dispatch, unknown_path_is_404_problem) {
    for (const auto* target : {"/nothing", "/runs/a/b/c", "/"}) {
        const auto response = dispatch(routes_, http::verb::get, target);
        EXPECT_EQ(response.result(), http::status::not_found) << target;
        EXPECT_EQ(problem_of(response)["status"], 404) << target;
    }
}

TEST_F(router_dispatch, wrong_method_is_405_with_allow) {
    const auto response = dispatch(routes_, http::verb::put, "/runs/abc");
    EXPECT_EQ(response.result(), http::status::method_not_allowed);
    EXPECT_EQ(response[http::field::allow], "GET, HEAD, DELETE");
    EXPECT_EQ(problem_of(response)["status"], 405);
}

TEST_F(router_dispatch, head_is_served_by_get_route) {
    const auto response = dispatch(routes_, http::verb::head, "/runs/abc");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response.body(), "get abc");  // the session drops the body, not the router
}

TEST_F(router_dispatch, throwing_handler_becomes_500_without_exception_text) {
    const auto response = dispatch(routes_, http::verb::get, "/boom");
    EXPECT_EQ(response.result(), http::status::internal_server_error);
    EXPECT_EQ(problem_of(response)["status"], 500);
    EXPECT_EQ(response.body().find("secret-token-123"), std::string::npos);
}

TEST_F(router_dispatch, ignores_query_string) {
    EXPECT_EQ(dispatch(routes_, http::verb::get, "/runs/abc?verbose=1&x=/y").body(), "get abc");
    EXPECT_EQ(dispatch(routes_, http::verb::post, "/runs?dry_run=true").body(), "created");
}

TEST_F(router_dispatch, match_pattern_names_route_or_unmatched) {
    EXPECT_EQ(routes_.match_pattern(http_request{http::verb::get, "/runs/abc?x=1", 11}), "/runs/{id}");
    EXPECT_EQ(routes_.match_pattern(http_request{http::verb::get, "/runs/abc/report", 11}), "/runs/{id}/report");
    EXPECT_EQ(routes_.match_pattern(http_request{http::verb::get, "/elsewhere", 11}), "unmatched");
}

TEST_F(router_dispatch, resolve_finds_the_answering_route_once) {
    const auto found = routes_.resolve(http_request{http::verb::delete_, "/runs/x1", 11});
    EXPECT_EQ(found.pattern, "/runs/{id}");
    ASSERT_TRUE(found.route.has_value());
    EXPECT_EQ(found.params, path_params{"x1"});

    const auto other_method = routes_.resolve(http_request{http::verb::put, "/runs/x1", 11});
    EXPECT_EQ(other_method.pattern, "/runs/{id}") << "a 405 is still labelled with its path's pattern";
    EXPECT_FALSE(other_method.route.has_value());

    const auto nowhere = routes_.resolve(http_request{http::verb::get, "/elsewhere", 11});
    EXPECT_EQ(nowhere.pattern, "unmatched");
    EXPECT_FALSE(nowhere.route.has_value());
}

}  // namespace
}  // namespace chimera::service
