#pragma once

#include <optional>
#include <string_view>

#include "chimera/core/text/enum_names.hpp"

namespace chimera::core {

/// Which wire a backend speaks: Ollama's `/api/generate` NDJSON, or the OpenAI-compatible
/// `/v1/chat/completions` Server-Sent Events of llama.cpp's `llama-server`, vLLM and SGLang.
enum class backend_kind { ollama, openai };

inline constexpr enum_names<backend_kind, 2> backend_kind_names{
    {{backend_kind::ollama, "ollama"}, {backend_kind::openai, "openai"}}};

[[nodiscard]] constexpr std::string_view to_string(backend_kind kind) { return name_of(backend_kind_names, kind); }

[[nodiscard]] constexpr std::optional<backend_kind> parse_backend_kind(std::string_view name) {
    return value_named(backend_kind_names, name);
}

/// Which route a backend of kind openai is called on: chat completions (the prompt as one user
/// message, which the engine formats with the model's chat template) or text completions (the
/// prompt as it is: for a base model without a template). llama.cpp's server and vLLM serve both.
enum class openai_api { chat, completions };

inline constexpr enum_names<openai_api, 2> openai_api_names{
    {{openai_api::chat, "chat"}, {openai_api::completions, "completions"}}};

[[nodiscard]] constexpr std::string_view to_string(openai_api api) { return name_of(openai_api_names, api); }

[[nodiscard]] constexpr std::optional<openai_api> parse_openai_api(std::string_view name) {
    return value_named(openai_api_names, name);
}

}  // namespace chimera::core
