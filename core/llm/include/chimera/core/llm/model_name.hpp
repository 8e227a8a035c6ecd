#pragma once

#include <string_view>

namespace chimera::core {

/// Whether two model names name one model as Ollama resolves them: a name without a tag is
/// its `:latest` (`qwen2.5` and `qwen2.5:latest`); any other tag is a model of its own.
[[nodiscard]] bool same_model(std::string_view a, std::string_view b);

}  // namespace chimera::core
