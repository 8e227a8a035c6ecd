#include "chimera/backend/fleet_backend.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "chimera/core/llm/backend_options.hpp"
#include "chimera/core/llm/model_name.hpp"
#include "chimera/core/text/join.hpp"

namespace chimera::service {

fleet_backend::fleet_backend(boost::asio::any_io_executor executor,
                             backend_settings settings,
                             service_metrics& metrics,
                             std::string preload_model)
    : settings_(std::move(settings)),
      pool_(executor, settings_, metrics),
      monitor_(executor, pool_, settings_, metrics, std::move(preload_model)) {}

bool fleet_backend::healthy(clock::time_point now) const { return monitor_.last().ready && !marked_down(now); }

bool fleet_backend::lists(std::string_view model) const {
    const auto& models = monitor_.models();
    return std::any_of(models.begin(), models.end(),
                       [model](const std::string& listed) { return core::same_model(listed, model); });
}

void fleet_backend::note_failure_before_first_token(clock::time_point now) {
    if (++failures_in_a_row_ < failures_before_down) return;
    failures_in_a_row_ = 0;
    down_until_ = now + down_for;
    spdlog::warn("backend {}: {} calls in a row failed before their first token; left out of routing for {} s",
                 settings_.name, failures_before_down, down_for.count());
}

std::optional<std::string> fleet_backend::options_refusal(const core::run_options& options) const {
    const auto unsupported = core::options_unsupported_by(settings_.kind, options);
    if (unsupported.empty()) return std::nullopt;
    return "backend " + name() + " (" + std::string{core::to_string(settings_.kind)} + ") cannot take the options " +
           core::join(unsupported, ", ") +
           ": an OpenAI-compatible engine fixes num_ctx and num_gpu when it loads the model, and names "
           "repeat_penalty its own way";
}

}  // namespace chimera::service
