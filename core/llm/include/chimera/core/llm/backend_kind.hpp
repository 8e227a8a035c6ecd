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

}  // namespace chimera::core
