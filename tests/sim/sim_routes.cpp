#include "sim_routes.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include "sim_generate.hpp"
#include "sim_json.hpp"
#include "sim_request.hpp"

namespace sim {
namespace {

struct route_entry {
    std::string_view path;
    std::initializer_list<http::verb> methods;
    endpoint target;
};

using http::verb;

const route_entry routes[] = {
    {"/", {verb::get, verb::head}, endpoint::root},
    {"/api/version", {verb::get, verb::head}, endpoint::version},
    {"/api/tags", {verb::get, verb::head}, endpoint::tags},
    {"/api/ps", {verb::get}, endpoint::ps},
    {"/api/show", {verb::post}, endpoint::show},
    {"/api/generate", {verb::post}, endpoint::generate},
    {"/sim/stats", {verb::get}, endpoint::stats},
    {"/sim/reset", {verb::post}, endpoint::reset},
    {"/sim/drop-idle", {verb::post}, endpoint::drop_idle},
};

response json_reply(const request& req, http::status status, std::string body) {
    return make_response(req, status, json_content_type, std::move(body));
}

response show(const request& req, const model_registry& models) {
    auto decoded = decode_show_request(req.body());
    if (auto* error = std::get_if<request_error>(&decoded)) {
        return json_reply(req, static_cast<http::status>(error->status), error_object(error->message));
    }
    const auto& model = std::get<std::string>(decoded);
    if (!models.knows(model)) {
        return json_reply(req, http::status::not_found, error_object("model '" + model + "' not found"));
    }
    return json_reply(req, http::status::ok, go_json(models.show(model)));
}

// This request's own connection is busy, not idle, so it never counts itself.
response drop_idle(const request& req, sim_state& state) {
    const auto dropped = state.idle.drop_all();
    state.stats.connections_dropped(dropped);
    return json_reply(req, http::status::ok, go_json(nlohmann::ordered_json{{"dropped", dropped}}));
}

}  // namespace

std::variant<endpoint, response> route(const request& req) {
    const auto target = std::string_view{req.target()};
    const auto path = target.substr(0, target.find('?'));
    const auto entry = std::find_if(std::begin(routes), std::end(routes), [&](auto& r) { return r.path == path; });
    // gin's bodies are text/plain without a charset.
    if (entry == std::end(routes)) {
        return make_response(req, http::status::not_found, "text/plain", "404 page not found");
    }
    if (std::find(entry->methods.begin(), entry->methods.end(), req.method()) == entry->methods.end()) {
        return make_response(req, http::status::method_not_allowed, "text/plain", "405 method not allowed");
    }
    return entry->target;
}

response handle_immediate(endpoint target, const request& req, sim_state& state) {
    const auto now = model_registry::clock::now();
    switch (target) {
        case endpoint::root:
            return make_response(req, http::status::ok, text_content_type, "Ollama is running");
        case endpoint::version:
            return json_reply(req, http::status::ok, R"({"version":"0.12.0-sim"})");
        case endpoint::tags:
            return json_reply(req, http::status::ok, go_json(state.models.tags()));
        case endpoint::ps:
            return json_reply(req, http::status::ok, go_json(state.models.ps(now)));
        case endpoint::show:
            return show(req, state.models);
        case endpoint::stats:
            return json_reply(req, http::status::ok, go_json(state.stats.to_json()));
        case endpoint::reset:
            state.stats.reset();
            state.models.unload_all();
            return json_reply(req, http::status::ok, R"({"status":"reset"})");
        case endpoint::drop_idle:
            return drop_idle(req, state);
        case endpoint::generate:
            break;
    }
    throw std::logic_error{"POST /api/generate streams: serve it with serve_generate"};
}

}  // namespace sim
