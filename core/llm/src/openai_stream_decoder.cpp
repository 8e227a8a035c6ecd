#include "chimera/core/llm/openai_stream_decoder.hpp"

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "openai_chunk_decode.hpp"

namespace chimera::core {
namespace {

using json = nlohmann::json;

std::int64_t count_of(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_number_integer() && found->get<std::int64_t>() > 0
               ? found->get<std::int64_t>()
               : 0;
}

/// llama.cpp's timings are milliseconds, fractional.
std::int64_t ms_as_ns(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_number()) return 0;
    const double ms = found->get<double>();
    return std::isfinite(ms) && ms > 0 ? static_cast<std::int64_t>(std::llround(ms * 1e6)) : 0;
}

std::string error_message(const json& error) {
    if (error.is_string()) return error.get<std::string>();
    if (error.is_object()) {
        const auto message = error.find("message");
        if (message != error.end() && message->is_string()) return message->get<std::string>();
    }
    return error.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// The text a chunk adds: chat's `delta.content` or completions' `text`; none when absent or null.
const json* chunk_text(const json& choice) {
    const auto delta = choice.find("delta");
    const json* text = nullptr;
    if (delta != choice.end() && delta->is_object()) {
        const auto content = delta->find("content");
        if (content != delta->end()) text = &*content;
    } else if (const auto plain = choice.find("text"); plain != choice.end()) {
        text = &*plain;
    }
    return text != nullptr && text->is_string() ? text : nullptr;
}

/// An `error` event's data: the message of its JSON, or the text as it came.
std::string error_text(const std::string& data) {
    const auto error = json::parse(data, nullptr, false);
    return error.is_discarded() ? data : error_message(error);
}

}  // namespace

void detail::decode_chunk_dom(std::string_view data, generation_stats& stats, std::vector<stream_event>& out) {
    const auto chunk = json::parse(data, nullptr, false);
    if (!chunk.is_object()) {
        out.emplace_back(malformed_event{"not a JSON object: " + std::string{data.substr(0, 200)}});
        return;
    }
    if (const auto error = chunk.find("error"); error != chunk.end()) {
        out.emplace_back(error_event{error_message(*error)});
        return;
    }
    if (const auto usage = chunk.find("usage"); usage != chunk.end() && usage->is_object()) {
        stats.prompt_eval_count = count_of(*usage, "prompt_tokens");
        stats.eval_count = count_of(*usage, "completion_tokens");
    }
    if (const auto timings = chunk.find("timings"); timings != chunk.end() && timings->is_object()) {
        stats.prompt_eval_duration_ns = ms_as_ns(*timings, "prompt_ms");
        stats.eval_duration_ns = ms_as_ns(*timings, "predicted_ms");
        if (stats.eval_count == 0) stats.eval_count = count_of(*timings, "predicted_n");
        if (stats.prompt_eval_count == 0) stats.prompt_eval_count = count_of(*timings, "prompt_n");
    }
    const auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array()) {
        if (chunk.find("usage") == chunk.end() && chunk.find("timings") == chunk.end()) {
            out.emplace_back(malformed_event{"a chunk without choices: " + std::string{data.substr(0, 200)}});
        }
        return;
    }
    if (choices->empty() || !(*choices)[0].is_object()) return;  // the usage chunk: "choices": []
    const auto& choice = (*choices)[0];
    if (const auto* text = chunk_text(choice)) out.emplace_back(token_event{text->get<std::string>()});
    if (const auto reason = choice.find("finish_reason"); reason != choice.end() && reason->is_string()) {
        stats.done_reason = reason->get<std::string>();
    }
}

openai_stream_decoder::openai_stream_decoder(std::size_t max_event_bytes) : sse_(max_event_bytes) {}

void openai_stream_decoder::feed(std::string_view bytes, std::vector<stream_event>& out) {
    sse_.feed(bytes, events_);
    for (const auto& event : events_) decode(event, out);
    events_.clear();
}

void openai_stream_decoder::finish(std::vector<stream_event>& /*out*/) { sse_.finish(); }

void openai_stream_decoder::decode(const sse_event& event, std::vector<stream_event>& out) {
    if (event.too_large) {
        out.emplace_back(malformed_event{"an event larger than the limit"});
        return;
    }
    if (event.type.empty() && event.data == "[DONE]") {
        out.emplace_back(done_event{stats_, {}});
        return;
    }
    if (event.type == "error") {
        out.emplace_back(error_event{error_text(event.data)});
        return;
    }
    if (!detail::scan_chunk(event.data, stats_, out)) detail::decode_chunk_dom(event.data, stats_, out);
}

}  // namespace chimera::core
