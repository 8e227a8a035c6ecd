#pragma once

#include <string_view>

#include "chimera/http/http_types.hpp"

namespace chimera::service {

/// The one place where a failure becomes an HTTP error: an RFC 9457
/// `application/problem+json` body with a title from the status and our detail.
/// `field` names the offending request field when there is one.
[[nodiscard]] http_response make_problem(const http_request& request,
                                         http::status status,
                                         std::string_view detail,
                                         std::string_view field = {});

/// A JSON (`application/json`) response with the request's keep-alive and version.
[[nodiscard]] http_response make_json_response(const http_request& request, http::status status, std::string body);

/// A response of any content type with the request's keep-alive and version.
[[nodiscard]] http_response make_response(const http_request& request,
                                          http::status status,
                                          std::string_view content_type,
                                          std::string body);

}  // namespace chimera::service
