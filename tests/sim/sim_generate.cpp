#include "sim_generate.hpp"

#include <nlohmann/json.hpp>

#include "sim_json.hpp"
#include "sim_text.hpp"

namespace sim {
namespace {

using json = nlohmann::ordered_json;

json response_head(std::string_view model, std::string_view response, bool done) {
    return {{"model", model},
            {"created_at", rfc3339_nano(std::chrono::system_clock::now())},
            {"response", response},
            {"done", done}};
}

// Go's omitempty drops zero metrics.
void put_nonzero(json& object, const char* key, std::int64_t value) {
    if (value != 0) {
        object[key] = value;
    }
}

json context_ids(std::uint64_t count) {
    auto ids = json::array();
    for (std::uint64_t i = 0; i < count; ++i) {
        ids.push_back(context_token_id(i));
    }
    return ids;
}

}  // namespace

std::string token_line(std::string_view model, std::string_view token) {
    return go_json(response_head(model, token, false)) + "\n";
}

std::string final_object(std::string_view model, std::string_view response, const final_metrics& m) {
    json object = response_head(model, response, true);
    object["done_reason"] = m.done_reason;
    if (m.with_context) {
        object["context"] = context_ids(m.prompt_eval_count + m.eval_count);
    }
    put_nonzero(object, "total_duration", m.total_duration.count());
    put_nonzero(object, "load_duration", m.load_duration.count());
    put_nonzero(object, "prompt_eval_count", static_cast<std::int64_t>(m.prompt_eval_count));
    put_nonzero(object, "prompt_eval_duration", m.prompt_eval_duration.count());
    put_nonzero(object, "eval_count", static_cast<std::int64_t>(m.eval_count));
    put_nonzero(object, "eval_duration", m.eval_duration.count());
    return go_json(object);
}

std::string residency_object(std::string_view model, std::string_view done_reason) {
    json object = response_head(model, "", true);
    object["done_reason"] = done_reason;
    return go_json(object);
}

std::string error_object(std::string_view message) { return go_json(json{{"error", message}}); }

}  // namespace sim
