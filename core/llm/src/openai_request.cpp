#include "chimera/core/llm/openai_request.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "chimera/core/text/json_text.hpp"

namespace chimera::core {
namespace {

/// Ollama's "no limit"; an OpenAI-compatible engine's is a request without max_tokens.
constexpr std::int64_t unlimited_predict = -1;

void add_sampling(nlohmann::json& body, const run_options& options) {
    if (options.temperature) body["temperature"] = *options.temperature;
    if (options.top_p) body["top_p"] = *options.top_p;
    // Not in OpenAI's API, but both engines read it: llama.cpp's params_from_json_cmpl and vLLM's
    // ChatCompletionRequest.top_k, where 0 means "off" as it does in Ollama.
    if (options.top_k) body["top_k"] = *options.top_k;
    if (options.seed) body["seed"] = *options.seed;
    if (options.num_predict && *options.num_predict != unlimited_predict) body["max_tokens"] = *options.num_predict;
}

std::string streamed_body(nlohmann::json body, const run_options& options) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
    add_sampling(body, options);
    // The prompt carries file names and earlier model output; neither is guaranteed UTF-8.
    return json_text(body);
}

}  // namespace

std::string make_chat_completion_body(std::string_view model, std::string_view prompt, const run_options& options) {
    return streamed_body(
        {{"model", model}, {"messages", nlohmann::json::array({{{"role", "user"}, {"content", prompt}}})}}, options);
}

std::string make_completion_body(std::string_view model, std::string_view prompt, const run_options& options) {
    return streamed_body({{"model", model}, {"prompt", prompt}}, options);
}

}  // namespace chimera::core
