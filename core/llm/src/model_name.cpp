#include "chimera/core/llm/model_name.hpp"

namespace chimera::core {
namespace {

std::string_view without_latest_tag(std::string_view model) {
    constexpr std::string_view latest = ":latest";
    return model.ends_with(latest) ? model.substr(0, model.size() - latest.size()) : model;
}

}  // namespace

bool same_model(std::string_view a, std::string_view b) { return without_latest_tag(a) == without_latest_tag(b); }

}  // namespace chimera::core
