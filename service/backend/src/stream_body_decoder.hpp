#pragma once

#include <string_view>
#include <variant>
#include <vector>

#include "chimera/core/llm/backend_kind.hpp"
#include "chimera/core/llm/ndjson_stream_decoder.hpp"
#include "chimera/core/llm/openai_stream_decoder.hpp"

namespace chimera::service {

/// The decoder of a streamed call's body in the backend's wire: Ollama's NDJSON or the
/// OpenAI-compatible Server-Sent Events. Both give core::stream_event, so one reader times both.
class stream_body_decoder {
public:
    explicit stream_body_decoder(core::backend_kind kind) {
        if (kind == core::backend_kind::openai) decoder_.emplace<core::openai_stream_decoder>();
    }

    void feed(std::string_view bytes, std::vector<core::stream_event>& out) {
        std::visit([&](auto& decoder) { decoder.feed(bytes, out); }, decoder_);
    }

    void finish(std::vector<core::stream_event>& out) {
        std::visit([&](auto& decoder) { decoder.finish(out); }, decoder_);
    }

private:
    std::variant<core::ndjson_stream_decoder, core::openai_stream_decoder> decoder_;
};

}  // namespace chimera::service
