#include "chimera/core/llm/generate_request.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/text/json_text.hpp"

namespace chimera::core {

std::string make_generate_body(std::string_view model, std::string_view prompt, const run_options& options) {
    nlohmann::json body = {{"model", model}, {"prompt", prompt}, {"stream", true}};
    if (auto set_options = to_json(options); !set_options.empty()) body["options"] = std::move(set_options);
    // The prompt carries file names and earlier model output; neither is guaranteed UTF-8.
    return json_text(body);
}

}  // namespace chimera::core
