#include "chimera/http/problem_response.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/text/json_text.hpp"

namespace chimera::service {

http_response make_response(const http_request& request,
                            http::status status,
                            std::string_view content_type,
                            std::string body) {
    http_response response{status, request.version()};
    response.set(http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

http_response make_json_response(const http_request& request, http::status status, std::string body) {
    return make_response(request, status, "application/json", std::move(body));
}

http_response make_problem(const http_request& request,
                           http::status status,
                           std::string_view detail,
                           std::string_view field) {
    nlohmann::json problem{
        {"type", "about:blank"},
        {"title", std::string{http::obsolete_reason(status)}},
        {"status", static_cast<unsigned>(status)},
        {"detail", std::string{detail}},
    };
    if (!field.empty()) {
        problem["field"] = std::string{field};
    }
    return make_response(request, status, "application/problem+json", core::json_text(problem));
}

}  // namespace chimera::service
