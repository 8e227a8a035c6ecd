#include "sim_openai_request.hpp"

#include <nlohmann/json.hpp>

#include "sim_text.hpp"

namespace sim {
namespace {

using json = nlohmann::json;

request_error bad_request(std::string message) { return request_error{400, std::move(message)}; }

// The words of every message's string content (multimodal parts: their "text").
std::optional<std::string> chat_text(const json& messages) {
    if (!messages.is_array() || messages.empty()) {
        return std::nullopt;
    }
    std::string text;
    for (const auto& message : messages) {
        const auto content = message.is_object() ? message.find("content") : message.end();
        if (content == message.end() || !content->is_string()) {
            return std::nullopt;
        }
        text.append(content->get<std::string>()).append(" ");
    }
    return text;
}

std::optional<request_error> check_sampling(const json& body, openai_request& out) {
    if (const auto it = body.find("temperature"); it != body.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 2) {
            return bad_request("temperature must be a number between 0 and 2");
        }
        out.temperature = it->get<double>();
    }
    if (const auto it = body.find("top_p"); it != body.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() <= 0 || it->get<double>() > 1) {
            return bad_request("top_p must be a number in (0, 1]");
        }
        out.top_p = it->get<double>();
    }
    if (const auto it = body.find("seed"); it != body.end() && !it->is_null()) {
        if (!it->is_number_integer()) {
            return bad_request("seed must be an integer");
        }
        out.seed = it->get<std::int64_t>();
    }
    return std::nullopt;
}

std::optional<request_error> check_stream(const json& body, openai_request& out) {
    if (const auto it = body.find("stream"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) {
            return bad_request("stream must be a boolean");
        }
        out.stream = it->get<bool>();
    }
    const auto options = body.find("stream_options");
    if (options == body.end() || options->is_null()) {
        return std::nullopt;
    }
    const auto usage = options->is_object() ? options->find("include_usage") : options->end();
    if (!options->is_object() || (usage != options->end() && !usage->is_boolean())) {
        return bad_request("stream_options must be an object with a boolean include_usage");
    }
    out.include_usage = usage != options->end() && usage->get<bool>();
    return std::nullopt;
}

std::optional<request_error> check_max_tokens(const json& body, openai_request& out) {
    const auto it = body.find("max_tokens");
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1) {
        return bad_request("max_tokens must be an integer of at least 1");
    }
    out.max_tokens = it->get<std::uint64_t>();
    return std::nullopt;
}

std::optional<request_error> check_prompt(const json& body, openai_api api, openai_request& out) {
    std::optional<std::string> text;
    if (api == openai_api::chat) {
        text = chat_text(body.value("messages", json{}));
    } else if (const auto prompt = body.find("prompt"); prompt != body.end() && prompt->is_string()) {
        text = prompt->get<std::string>();
    }
    if (!text) {
        return bad_request(api == openai_api::chat ? "messages must be a non-empty array of messages with content"
                                                   : "prompt must be a string");
    }
    out.prompt_tokens = count_prompt_tokens({}, *text);
    return std::nullopt;
}

}  // namespace

std::variant<openai_request, request_error> decode_openai_request(std::string_view body,
                                                                  openai_api api,
                                                                  std::string_view default_model) {
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object()) {
        return bad_request("the request body is not a JSON object");
    }
    openai_request out;
    const auto model = parsed.find("model");
    if (model != parsed.end() && !model->is_null() && !model->is_string()) {
        return bad_request("model must be a string");
    }
    out.model = model != parsed.end() && model->is_string() ? model->get<std::string>() : std::string{default_model};
    for (const auto& check : {check_stream, check_max_tokens, check_sampling}) {
        if (auto error = check(parsed, out)) {
            return *error;
        }
    }
    if (auto error = check_prompt(parsed, api, out)) {
        return *error;
    }
    return out;
}

}  // namespace sim
