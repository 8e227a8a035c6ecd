// Complete (non-streamed) HTTP responses with the headers Go's net/http and gin write.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

namespace sim {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";
inline constexpr std::string_view text_content_type = "text/plain; charset=utf-8";

// Keep-alive follows the request. HEAD gets the GET headers, Content-Length included, and no body.
response make_response(const request& req, http::status status, std::string_view content_type, std::string body);

// The Date header value, e.g. "Fri, 21 Aug 2026 10:00:00 GMT".
std::string http_date();

}  // namespace sim
