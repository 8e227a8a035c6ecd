#include "chimera/core/llm/call_body.hpp"

#include "chimera/core/llm/chat_completion_request.hpp"
#include "chimera/core/llm/generate_request.hpp"

namespace chimera::core {

std::string make_call_body(backend_kind kind,
                           std::string_view model,
                           std::string_view prompt,
                           const run_options& options) {
    return kind == backend_kind::openai ? make_chat_completion_body(model, prompt, options)
                                        : make_generate_body(model, prompt, options);
}

}  // namespace chimera::core
