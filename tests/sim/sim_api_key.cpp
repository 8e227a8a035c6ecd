#include "sim_api_key.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <boost/beast/core/string.hpp>

#include "sim_openai_wire.hpp"

namespace sim {
namespace {

// llama-server's middleware_validate_api_key (tools/server/server.cpp) leaves these open, the
// model list among them; vLLM's AuthenticationMiddleware (entrypoints/openai) guards every
// route under /v1, its model list included.
constexpr std::array<std::string_view, 6> llamacpp_public_paths{"/",       "/health",    "/v1/health",
                                                                "/models", "/v1/models", "/api/tags"};

bool guarded(std::string_view path, engine kind) {
    if (path.starts_with("/sim/")) {
        return false;
    }
    if (kind == engine::llamacpp) {
        return std::find(llamacpp_public_paths.begin(), llamacpp_public_paths.end(), path) ==
               llamacpp_public_paths.end();
    }
    return path.starts_with("/v1");
}

// llama-server compares the prefix "Bearer " as written; vLLM takes the scheme in any case.
bool brings_key(std::string_view authorization, std::string_view key, engine kind) {
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos) {
        return false;
    }
    const auto scheme = authorization.substr(0, space);
    const bool bearer = kind == engine::llamacpp ? scheme == "Bearer" : boost::beast::iequals(scheme, "bearer");
    return bearer && authorization.substr(space + 1) == key;
}

}  // namespace

std::optional<response> refuse_without_api_key(const request& req, const sim_config& config) {
    const auto target = std::string_view{req.target()};
    const auto path = target.substr(0, target.find('?'));
    if (!config.api_key || !guarded(path, config.engine_kind) ||
        brings_key(req[http::field::authorization], *config.api_key, config.engine_kind)) {
        return std::nullopt;
    }
    const auto kind = config.engine_kind;
    const auto body = kind == engine::llamacpp ? error_body(kind, 401, "Invalid API Key")
                                               : std::string{R"({"error":"Unauthorized"})"};
    return make_response(req, http::status::unauthorized, json_content_type_of(kind), body);
}

}  // namespace sim
