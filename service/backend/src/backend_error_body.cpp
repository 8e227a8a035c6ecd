#include "backend_error_body.hpp"

#include <nlohmann/json.hpp>

namespace chimera::service {
namespace {

const nlohmann::json* string_member(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? &*found : nullptr;
}

const nlohmann::json* message_of(const nlohmann::json& body) {
    if (const auto error = body.find("error"); error != body.end()) {
        if (error->is_string()) return &*error;
        if (error->is_object()) return string_member(*error, "message");
    }
    if (const auto* message = string_member(body, "message")) return message;
    return string_member(body, "detail");
}

}  // namespace

std::string backend_error_message(const std::string& body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object()) {
        if (const auto* message = message_of(parsed)) return message->get<std::string>();
    }
    return body.substr(0, 200);
}

}  // namespace chimera::service
