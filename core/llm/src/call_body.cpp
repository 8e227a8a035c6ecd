#include "chimera/core/llm/call_body.hpp"

#include "chimera/core/llm/generate_request.hpp"
#include "chimera/core/llm/openai_request.hpp"

namespace chimera::core {

std::string make_call_body(
    backend_kind kind, openai_api api, std::string_view model, std::string_view prompt, const run_options& options) {
    if (kind == backend_kind::ollama) return make_generate_body(model, prompt, options);
    return api == openai_api::chat ? make_chat_completion_body(model, prompt, options)
                                   : make_completion_body(model, prompt, options);
}

}  // namespace chimera::core
