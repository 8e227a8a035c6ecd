#include "sim_routes.hpp"

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include "sim_generate.hpp"
#include "sim_json.hpp"
#include "sim_openai_wire.hpp"
#include "sim_request.hpp"

namespace sim {
namespace {

struct route_entry {
    std::string_view path;
    std::initializer_list<http::verb> methods;
    endpoint target;
};

using http::verb;

const route_entry ollama_routes[] = {
    {"/", {verb::get, verb::head}, endpoint::root},
    {"/api/version", {verb::get, verb::head}, endpoint::version},
    {"/api/tags", {verb::get, verb::head}, endpoint::tags},
    {"/api/ps", {verb::get}, endpoint::ps},
    {"/api/show", {verb::post}, endpoint::show},
    {"/api/generate", {verb::post}, endpoint::generate},
};

// What llama-server and vLLM both serve (their other routes are outside the simulation).
const route_entry openai_routes[] = {
    {"/v1/models", {verb::get}, endpoint::openai_models},
    {"/v1/chat/completions", {verb::post}, endpoint::chat_completions},
    {"/v1/completions", {verb::post}, endpoint::completions},
};

const route_entry sim_routes[] = {
    {"/sim/stats", {verb::get}, endpoint::stats},
    {"/sim/reset", {verb::post}, endpoint::reset},
    {"/sim/drop-idle", {verb::post}, endpoint::drop_idle},
    {"/sim/hold", {verb::post}, endpoint::hold},  // generations wait until /sim/release
    {"/sim/release", {verb::post}, endpoint::release},
};

const route_entry* find_route(std::string_view path, engine kind) {
    const auto matches = [&](const route_entry& r) { return r.path == path; };
    if (const auto* own = std::find_if(std::begin(sim_routes), std::end(sim_routes), matches);
        own != std::end(sim_routes)) {
        return own;
    }
    if (kind == engine::ollama) {
        const auto* entry = std::find_if(std::begin(ollama_routes), std::end(ollama_routes), matches);
        return entry == std::end(ollama_routes) ? nullptr : entry;
    }
    const auto* entry = std::find_if(std::begin(openai_routes), std::end(openai_routes), matches);
    return entry == std::end(openai_routes) ? nullptr : entry;
}

// gin's bodies are text/plain without a charset; llama-server answers both with its 404 error
// object; FastAPI (vLLM) with {"detail":…}.
response not_found(const request& req, engine kind) {
    if (kind == engine::ollama) {
        return make_response(req, http::status::not_found, "text/plain", "404 page not found");
    }
    return make_response(req, http::status::not_found, json_content_type_of(kind), unknown_route_body(kind));
}

response method_not_allowed(const request& req, engine kind) {
    if (kind == engine::ollama) {
        return make_response(req, http::status::method_not_allowed, "text/plain", "405 method not allowed");
    }
    if (kind == engine::llamacpp) {
        return not_found(req, kind);
    }
    return make_response(req, http::status::method_not_allowed, json_content_type_of(kind),
                         R"({"detail":"Method Not Allowed"})");
}

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

response openai_models(const request& req, const sim_state& state) {
    const auto kind = state.config.engine_kind;
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return make_response(req, http::status::ok, json_content_type_of(kind),
                         models_list(kind, state.config.models, now.count()));
}

}  // namespace

std::variant<endpoint, response> route(const request& req, engine kind) {
    const auto target = std::string_view{req.target()};
    const auto* entry = find_route(target.substr(0, target.find('?')), kind);
    if (entry == nullptr) {
        return not_found(req, kind);
    }
    if (std::find(entry->methods.begin(), entry->methods.end(), req.method()) == entry->methods.end()) {
        return method_not_allowed(req, kind);
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
        case endpoint::hold:
            state.gate.hold();
            return json_reply(req, http::status::ok, R"({"held":true})");
        case endpoint::release:
            return json_reply(req, http::status::ok,
                              go_json(nlohmann::ordered_json{{"released", state.gate.release()}}));
        case endpoint::openai_models:
            return openai_models(req, state);
        case endpoint::generate:
        case endpoint::chat_completions:
        case endpoint::completions:
            break;
    }
    throw std::logic_error{"the generation endpoints stream: serve them with serve_generate or serve_openai"};
}

}  // namespace sim
