#include "response_writer.hpp"

#include <sstream>

#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "chimera/http/problem_response.hpp"

namespace chimera::service {
namespace {

/// What Beast's serializer puts on the wire for `response`, up to its body.
std::string beast_head(const http_response& response) {
    std::ostringstream out;
    out << response;
    const auto wire = out.str();
    return wire.substr(0, wire.size() - response.body().size());
}

http_request request(unsigned version, bool keep_alive) {
    http_request r{http::verb::get, "/healthz", version};
    r.keep_alive(keep_alive);
    return r;
}

TEST(response_head, matches_beasts_serializer) {
    auto unauthorized = make_problem(request(11, true), http::status::unauthorized, "no token");
    unauthorized.set(http::field::www_authenticate, R"(Bearer realm="chimera")");
    auto reasoned = make_json_response(request(11, true), http::status::ok, "{}");
    reasoned.reason("Fine");
    auto head_request = make_json_response(request(11, true), http::status::ok, R"({"status":"ok"})");
    head_request.body().clear();
    for (const auto& response : {make_json_response(request(11, true), http::status::ok, R"({"status":"ok"})"),
                                 make_json_response(request(11, false), http::status::accepted, "{}"),
                                 make_json_response(request(10, true), http::status::ok, "{}"),
                                 make_json_response(request(10, false), http::status::not_found, "{}"), unauthorized,
                                 reasoned, head_request}) {
        EXPECT_EQ(response_head(response), beast_head(response));
    }
}

TEST(response_head, ends_with_the_blank_line) {
    const auto head = response_head(make_json_response(request(11, true), http::status::ok, "{}"));
    EXPECT_EQ(head.substr(0, 17), "HTTP/1.1 200 OK\r\n");
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace chimera::service
