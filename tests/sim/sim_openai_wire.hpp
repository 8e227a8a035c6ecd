// The JSON that llama.cpp's llama-server and vLLM write on their OpenAI-compatible routes: stream
// chunks, whole responses, error bodies and the model list, each engine with its own shape
// (docs/simulator.md lists the differences and the sources they were read from).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim_engine.hpp"
#include "sim_openai_request.hpp"

namespace sim {

// What every chunk of one completion repeats.
struct completion_identity {
    engine kind = engine::llamacpp;
    openai_api api = openai_api::chat;
    std::string id;
    std::int64_t created = 0;  // Unix seconds
    std::string model;
};

// How a completion ended, with llama.cpp's timings (milliseconds, as it reports them).
struct completion_summary {
    std::string_view finish_reason;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t completion_tokens = 0;
    double prompt_ms = 0;
    double predicted_ms = 0;
};

// "chatcmpl-…" (llama.cpp uses it for /v1/completions too) or vLLM's "cmpl-…", unique per `seq`.
std::string completion_id(engine kind, openai_api api, std::uint64_t seq);

// The data events of token `token`: the first one comes after the chat role chunk; vLLM puts
// `finish_reason` on the last token's chunk, llama.cpp on a chunk of its own (closing_events).
std::vector<std::string> token_events(const completion_identity& c,
                                      std::string_view token,
                                      bool first,
                                      std::optional<std::string_view> finish_reason);

// The data events after the last token, before `[DONE]`: llama.cpp's finish chunk, the usage chunk
// when asked for (always usage on llama.cpp's completions), llama.cpp's timings on the last one.
std::vector<std::string> closing_events(const completion_identity& c, const completion_summary& s, bool include_usage);

// The `stream: false` body.
std::string whole_response(const completion_identity& c, std::string_view text, const completion_summary& s);

// The body of an HTTP error, and the object of a mid-stream error's data line.
std::string error_body(engine kind, unsigned status, std::string_view message);

// GET /v1/models.
std::string models_list(engine kind, const std::vector<std::string>& models, std::int64_t created);

// The answer to a path the engine does not serve (404).
std::string unknown_route_body(engine kind);

std::string_view json_content_type_of(engine kind);
std::string_view event_stream_content_type_of(engine kind);

}  // namespace sim
