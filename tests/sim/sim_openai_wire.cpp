#include "sim_openai_wire.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace sim {
namespace {

using json = nlohmann::ordered_json;

// llama-server's build_info ("b<build>-<commit>"), which it sends as system_fingerprint.
constexpr std::string_view llama_build_info = "b6097-sim";
// Both engines write raw UTF-8 (nlohmann's dump, pydantic's model_dump_json).
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// splitmix64: ids that look random yet repeat from run to run.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31U);
}

bool is_chat(const completion_identity& c) { return c.api == openai_api::chat; }

std::string_view object_of(const completion_identity& c) {
    return is_chat(c) ? "chat.completion.chunk" : "text_completion";
}

json usage_of(const completion_summary& s) {
    // Field order as each engine's struct declares it: llama.cpp writes completion_tokens first.
    return {{"completion_tokens", s.completion_tokens},
            {"prompt_tokens", s.prompt_tokens},
            {"total_tokens", s.completion_tokens + s.prompt_tokens}};
}

json vllm_usage_of(const completion_summary& s) {
    return {{"prompt_tokens", s.prompt_tokens},
            {"total_tokens", s.completion_tokens + s.prompt_tokens},
            {"completion_tokens", s.completion_tokens}};
}

double per_token(double ms, std::uint64_t n) { return n == 0 ? 0 : ms / static_cast<double>(n); }
double per_second(double ms, std::uint64_t n) { return ms <= 0 ? 0 : 1e3 / ms * static_cast<double>(n); }

json timings_of(const completion_summary& s) {
    return {{"cache_n", 0},
            {"prompt_n", s.prompt_tokens},
            {"prompt_ms", s.prompt_ms},
            {"prompt_per_token_ms", per_token(s.prompt_ms, s.prompt_tokens)},
            {"prompt_per_second", per_second(s.prompt_ms, s.prompt_tokens)},
            {"predicted_n", s.completion_tokens},
            {"predicted_ms", s.predicted_ms},
            {"predicted_per_token_ms", per_token(s.predicted_ms, s.completion_tokens)},
            {"predicted_per_second", per_second(s.predicted_ms, s.completion_tokens)}};
}

json finish_of(std::optional<std::string_view> reason) { return reason ? json(*reason) : json(nullptr); }

// server-task.cpp: choices, created, id, model, system_fingerprint, object (completions: id last).
json llama_chunk(const completion_identity& c, json choice) {
    if (is_chat(c)) {
        return {
            {"choices", json::array({std::move(choice)})}, {"created", c.created},  {"id", c.id}, {"model", c.model},
            {"system_fingerprint", llama_build_info},      {"object", object_of(c)}};
    }
    return {{"choices", json::array({std::move(choice)})}, {"created", c.created},   {"model", c.model},
            {"system_fingerprint", llama_build_info},      {"object", object_of(c)}, {"id", c.id}};
}

// protocol.py's ChatCompletionStreamResponse / CompletionStreamResponse: id, object, created, model, choices.
json vllm_chunk(const completion_identity& c, json choices) {
    return {{"id", c.id}, {"object", object_of(c)}, {"created", c.created}, {"model", c.model}, {"choices", choices}};
}

json llama_token_choice(const completion_identity& c, std::string_view token) {
    if (is_chat(c)) {
        return {{"finish_reason", nullptr}, {"index", 0}, {"delta", {{"content", token}}}};
    }
    return {{"text", token}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", nullptr}};
}

json vllm_token_choice(const completion_identity& c, std::string_view token, std::optional<std::string_view> finish) {
    json choice{{"index", 0}};
    if (is_chat(c)) {
        choice["delta"] = {{"content", token}};
    } else {
        choice["text"] = token;
    }
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish_of(finish);
    // exclude_unset: stop_reason is set only on the finishing chunk (completions always set it).
    if (finish || !is_chat(c)) {
        choice["stop_reason"] = nullptr;
    }
    return choice;
}

// The first chat chunk: llama.cpp's role with content null, vLLM's with content "" (and its
// explicitly unset prompt_token_ids, which exclude_unset keeps).
std::string role_chunk(const completion_identity& c) {
    if (c.kind == engine::llamacpp) {
        return dump(llama_chunk(
            c, {{"finish_reason", nullptr}, {"index", 0}, {"delta", {{"role", "assistant"}, {"content", nullptr}}}}));
    }
    auto chunk = vllm_chunk(c, json::array({{{"index", 0},
                                             {"delta", {{"role", "assistant"}, {"content", ""}}},
                                             {"logprobs", nullptr},
                                             {"finish_reason", nullptr}}}));
    chunk["prompt_token_ids"] = nullptr;
    return dump(chunk);
}

std::vector<std::string> llama_closing(const completion_identity& c, const completion_summary& s, bool include_usage) {
    std::vector<json> chunks;
    if (is_chat(c)) {
        chunks.push_back(llama_chunk(c, {{"finish_reason", s.finish_reason}, {"index", 0}, {"delta", json::object()}}));
        if (include_usage) {
            auto usage = llama_chunk(c, {});
            usage["choices"] = json::array();
            usage["usage"] = usage_of(s);
            chunks.push_back(std::move(usage));
        }
    } else {
        auto last =
            llama_chunk(c, {{"text", ""}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", s.finish_reason}});
        last["usage"] = usage_of(s);
        last.erase("id");
        last["id"] = c.id;
        chunks.push_back(std::move(last));
    }
    chunks.back()["timings"] = timings_of(s);
    std::vector<std::string> out;
    for (const auto& chunk : chunks) {
        out.push_back(dump(chunk));
    }
    return out;
}

std::string_view llama_error_type(unsigned status) {
    switch (status) {
        case 400:
            return "invalid_request_error";
        case 401:
            return "authentication_error";
        case 403:
            return "permission_error";
        case 404:
            return "not_found_error";
        case 501:
            return "not_supported_error";
        case 503:
            return "unavailable_error";
        default:
            return status < 500 ? "invalid_request_error" : "server_error";
    }
}

std::string_view vllm_error_type(unsigned status) {
    switch (status) {
        case 404:
            return "NotFoundError";
        case 501:
            return "NotImplementedError";
        case 503:
            return "ServiceUnavailableError";
        default:
            return status < 500 ? "BadRequestError" : "InternalServerError";
    }
}

std::string llama_whole(const completion_identity& c, std::string_view text, const completion_summary& s) {
    json choice = is_chat(c)
                      ? json{{"finish_reason", s.finish_reason},
                             {"index", 0},
                             {"message", {{"role", "assistant"}, {"content", text}}}}
                      : json{{"text", text}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", s.finish_reason}};
    json body{{"choices", json::array({std::move(choice)})},
              {"created", c.created},
              {"model", c.model},
              {"system_fingerprint", llama_build_info},
              {"object", is_chat(c) ? "chat.completion" : "text_completion"},
              {"usage", usage_of(s)},
              {"id", c.id},
              {"timings", timings_of(s)}};
    return dump(body);
}

std::string vllm_whole(const completion_identity& c, std::string_view text, const completion_summary& s) {
    json choice{{"index", 0}};
    if (is_chat(c)) {
        choice["message"] = {{"role", "assistant"}, {"content", text}, {"tool_calls", json::array()}};
    } else {
        choice["text"] = text;
    }
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = s.finish_reason;
    choice["stop_reason"] = nullptr;
    return dump({{"id", c.id},
                 {"object", is_chat(c) ? "chat.completion" : "text_completion"},
                 {"created", c.created},
                 {"model", c.model},
                 {"choices", json::array({std::move(choice)})},
                 {"usage", vllm_usage_of(s)}});
}

}  // namespace

std::string completion_id(engine kind, openai_api api, std::uint64_t seq) {
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(mix(seq)),
                  static_cast<unsigned long long>(mix(~seq)));
    std::string id{kind == engine::vllm && api == openai_api::completions ? "cmpl-" : "chatcmpl-"};
    return id.append(hex);
}

std::vector<std::string> token_events(const completion_identity& c,
                                      std::string_view token,
                                      bool first,
                                      std::optional<std::string_view> finish_reason) {
    std::vector<std::string> out;
    if (first && is_chat(c)) {
        out.push_back(role_chunk(c));
    }
    if (c.kind == engine::llamacpp) {
        out.push_back(dump(llama_chunk(c, llama_token_choice(c, token))));
    } else {
        out.push_back(dump(vllm_chunk(c, json::array({vllm_token_choice(c, token, finish_reason)}))));
    }
    return out;
}

std::vector<std::string> closing_events(const completion_identity& c, const completion_summary& s, bool include_usage) {
    if (c.kind == engine::llamacpp) {
        return llama_closing(c, s, include_usage);
    }
    if (!include_usage) {
        return {};
    }
    auto usage = vllm_chunk(c, json::array());
    usage["usage"] = vllm_usage_of(s);
    return {dump(usage)};
}

std::string whole_response(const completion_identity& c, std::string_view text, const completion_summary& s) {
    return c.kind == engine::llamacpp ? llama_whole(c, text, s) : vllm_whole(c, text, s);
}

std::string error_body(engine kind, unsigned status, std::string_view message) {
    if (kind == engine::llamacpp) {
        return dump({{"error", {{"code", status}, {"message", message}, {"type", llama_error_type(status)}}}});
    }
    return dump(
        {{"error", {{"message", message}, {"type", vllm_error_type(status)}, {"param", nullptr}, {"code", status}}}});
}

std::string models_list(engine kind, const std::vector<std::string>& models, std::int64_t created) {
    auto data = json::array();
    for (const auto& id : models) {
        if (kind == engine::llamacpp) {
            data.push_back({{"id", id},
                            {"aliases", json::array()},
                            {"tags", json::array()},
                            {"object", "model"},
                            {"owned_by", "llamacpp"},
                            {"created", created},
                            {"status", {{"value", "loaded"}, {"args", json::array()}}}});
        } else {
            data.push_back({{"id", id},
                            {"object", "model"},
                            {"created", created},
                            {"owned_by", "vllm"},
                            {"root", id},
                            {"parent", nullptr},
                            {"max_model_len", 4096}});
        }
    }
    if (kind == engine::llamacpp) {
        return dump({{"data", data}, {"object", "list"}});
    }
    return dump({{"object", "list"}, {"data", data}});
}

std::string unknown_route_body(engine kind) {
    return kind == engine::llamacpp ? error_body(kind, 404, "File Not Found")
                                    : std::string{R"({"detail":"Not Found"})"};
}

std::string_view json_content_type_of(engine kind) {
    return kind == engine::llamacpp ? "application/json; charset=utf-8" : "application/json";
}

std::string_view event_stream_content_type_of(engine kind) {
    return kind == engine::llamacpp ? "text/event-stream" : "text/event-stream; charset=utf-8";
}

}  // namespace sim
