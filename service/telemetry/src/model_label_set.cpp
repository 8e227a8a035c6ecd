#include "chimera/telemetry/model_label_set.hpp"

#include <algorithm>

#include "chimera/core/llm/model_name.hpp"

namespace chimera::service {
namespace {

/// Ollama's model names are short and printable; a name with a control character or beyond
/// Ollama's own length limit is no model a backend serves, so it never becomes a label.
bool labelable(std::string_view model) {
    constexpr std::size_t longest = 200;
    if (model.empty() || model.size() > longest || model == model_label_set::other) return false;
    for (const char c : model) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) return false;
    }
    return true;
}

}  // namespace

model_label_set::model_label_set(std::vector<std::string> allowed, std::size_t max_models)
    : max_models_(std::max(max_models, allowed.size())) {
    for (const auto& model : allowed) add(model);
}

std::string model_label_set::label_of(std::string_view model) const {
    const std::lock_guard lock{mutex_};
    if (models_.contains(model)) return std::string{model};
    // Routing takes `qwen2.5` for a listed `qwen2.5:latest` (same_model): one model, one series,
    // under the name it was listed or allowed by.
    const auto same = std::find_if(models_.begin(), models_.end(),
                                   [model](const std::string& known) { return core::same_model(known, model); });
    return same != models_.end() ? *same : std::string{other};
}

void model_label_set::learn(const std::vector<std::string>& listed) {
    const std::lock_guard lock{mutex_};
    for (const auto& model : listed) add(model);
}

std::size_t model_label_set::size() const {
    const std::lock_guard lock{mutex_};
    return models_.size();
}

void model_label_set::add(std::string_view model) {
    if (models_.size() < max_models_ && labelable(model)) models_.emplace(model);
}

}  // namespace chimera::service
