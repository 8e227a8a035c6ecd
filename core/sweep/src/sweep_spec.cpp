#include "chimera/core/sweep/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

#include "chimera/core/run/json_object_parse.hpp"
#include "chimera/core/text/text.hpp"
#include "sweep_options.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;
using maybe_error = std::optional<request_error>;

[[nodiscard]] request_error field_error(std::string field, std::string detail) {
    return {std::move(field), std::move(detail)};
}

/// parse_options names fields "options.x"; a sweep names them "<where>.x" (or "<where>").
[[nodiscard]] request_error rename_option_error(request_error error, const std::string& where) {
    constexpr std::string_view prefix = "options";
    if (error.field.starts_with(prefix)) error.field = where + error.field.substr(prefix.size());
    return error;
}

/// model, data_dir and label go through parse_run_request too: one rule set for runs and sweeps.
[[nodiscard]] maybe_error read_run_field(const std::string& name,
                                         const json& value,
                                         std::optional<std::string> run_request::*field,
                                         std::optional<std::string>& out) {
    auto parsed = parse_run_request(json{{name, value}}.dump());
    if (auto* error = std::get_if<request_error>(&parsed)) return std::move(*error);
    out = std::get<run_request>(parsed).*field;
    return std::nullopt;
}

/// A backend name under POST /runs' rule, or the error naming `field`.
[[nodiscard]] maybe_error read_backend(const json& value, const std::string& field, std::optional<std::string>& out) {
    if (auto error = read_run_field("backend", value, &run_request::backend, out)) {
        error->field = field;
        return error;
    }
    return std::nullopt;
}

/// The baseline is a run's options plus, optionally, the backend it runs on.
[[nodiscard]] maybe_error read_baseline(const json& value, sweep_spec& out) {
    json options = value;
    if (value.is_object() && value.contains("backend")) {
        if (auto error = read_backend(value.at("backend"), "baseline.backend", out.baseline_backend)) return error;
        options.erase("backend");
    }
    auto parsed = detail::parse_options(options);
    if (auto* error = std::get_if<request_error>(&parsed)) return rename_option_error(std::move(*error), "baseline");
    out.baseline = std::get<run_options>(parsed);
    return std::nullopt;
}

[[nodiscard]] maybe_error read_axis_value(const std::string& option,
                                          const json& value,
                                          const std::string& field,
                                          grid_axis& axis) {
    auto parsed = detail::parse_options(json{{option, value}});
    if (auto* error = std::get_if<request_error>(&parsed)) {
        return field_error(field, error->detail == "unknown field" ? "unknown option" : error->detail);
    }
    axis.values.push_back(std::get<run_options>(parsed));
    return std::nullopt;
}

/// JSON equality compares numbers by value, so 1 and 1.0 count as the same temperature.
[[nodiscard]] bool repeats_earlier(const json& values, std::size_t index) {
    for (std::size_t i = 0; i < index; ++i) {
        if (values[i] == values[index]) return true;
    }
    return false;
}

/// Shape of an axis: a non-empty array of at most max_grid_values.
[[nodiscard]] maybe_error check_axis_values(const std::string& field, const json& values) {
    if (!values.is_array() || values.empty()) return field_error(field, "must be a non-empty array of values");
    if (values.size() > max_grid_values) {
        return field_error(field, "must have at most " + std::to_string(max_grid_values) + " values");
    }
    return std::nullopt;
}

[[nodiscard]] maybe_error read_backend_axis(const json& values, std::vector<std::string>& out) {
    const std::string field = "grid.backend";
    if (auto error = check_axis_values(field, values)) return error;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string item = field + "[" + std::to_string(i) + "]";
        std::optional<std::string> name;
        if (auto error = read_backend(values[i], item, name)) return error;
        if (repeats_earlier(values, i)) return field_error(item, "repeats an earlier value");
        out.push_back(std::move(*name));
    }
    return std::nullopt;
}

[[nodiscard]] maybe_error read_axis(const std::string& option, const json& values, grid_axis& axis) {
    const std::string field = "grid." + option;
    if (auto error = check_axis_values(field, values)) return error;
    axis.option = option;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string item = field + "[" + std::to_string(i) + "]";
        if (auto error = read_axis_value(option, values[i], item, axis)) return error;
        // A repeated value would run the same config twice under two names.
        if (repeats_earlier(values, i)) return field_error(item, "repeats an earlier value");
    }
    return std::nullopt;
}

[[nodiscard]] maybe_error read_grid(const json& value, sweep_spec& spec) {
    if (!value.is_object() || value.empty()) return field_error("grid", "must be an object naming at least one option");
    auto& out = spec.grid;
    for (const auto& [option, values] : value.items()) {
        if (option == "backend") {
            if (auto error = read_backend_axis(values, spec.backends)) return error;
            continue;
        }
        grid_axis axis;
        if (auto error = read_axis(option, values, axis)) return error;
        out.push_back(std::move(axis));
    }
    std::stable_sort(out.begin(), out.end(), [](const grid_axis& a, const grid_axis& b) {
        return detail::option_rank(a.option) < detail::option_rank(b.option);
    });
    return std::nullopt;
}

[[nodiscard]] maybe_error read_repetitions(const json& value, std::size_t& out) {
    const auto range = "must be an integer from 1 to " + std::to_string(max_sweep_repetitions);
    // nlohmann stores non-negative integer literals as unsigned: this also refuses -1 and 3.0.
    if (!value.is_number_unsigned()) return field_error("repetitions", range);
    const auto count = value.get<std::uint64_t>();
    if (count < 1 || count > max_sweep_repetitions) return field_error("repetitions", range);
    out = static_cast<std::size_t>(count);
    return std::nullopt;
}

[[nodiscard]] maybe_error read_cooldown(const json& value, double& out) {
    const auto range = "must be a number of seconds from 0 to " + detail::format_number(max_cooldown_seconds);
    if (!value.is_number()) return field_error("cooldown_seconds", range);
    const auto seconds = value.get<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > max_cooldown_seconds) {
        return field_error("cooldown_seconds", range);
    }
    out = seconds;
    return std::nullopt;
}

[[nodiscard]] maybe_error read_field(const std::string& name, const json& value, sweep_spec& out) {
    if (name == "model") return read_run_field(name, value, &run_request::model, out.model);
    if (name == "data_dir") return read_run_field(name, value, &run_request::data_dir, out.data_dir);
    if (name == "label") return read_run_field(name, value, &run_request::label, out.label);
    if (name == "baseline") return read_baseline(value, out);
    if (name == "grid") return read_grid(value, out);
    if (name == "repetitions") return read_repetitions(value, out.repetitions);
    if (name == "cooldown_seconds") return read_cooldown(value, out.cooldown_seconds);
    return field_error(name, "unknown field");
}

/// A grid of backends alone labels each config by its backend's name: one named "baseline"
/// would read as the baseline in every report.
[[nodiscard]] maybe_error check_labels(const sweep_spec& spec) {
    if (!spec.grid.empty()) return std::nullopt;
    const auto clash = std::find(spec.backends.begin(), spec.backends.end(), "baseline");
    if (clash == spec.backends.end()) return std::nullopt;
    return field_error("grid.backend[" + std::to_string(clash - spec.backends.begin()) + "]",
                       "would label its config 'baseline', as the baseline is labelled; vary an option too");
}

[[nodiscard]] maybe_error check_size(const sweep_spec& spec) {
    if (spec.grid.empty() && spec.backends.empty()) return field_error("grid", "is required");
    // Saturating: a grid of 100^9 configs must not overflow into a small number.
    std::size_t configs = std::max<std::size_t>(spec.backends.size(), 1);
    for (const auto& axis : spec.grid) configs = std::min(configs * axis.values.size(), max_sweep_runs + 1);
    if ((configs + 1) * spec.repetitions > max_sweep_runs) {
        return field_error("grid", "expands to more than " + std::to_string(max_sweep_runs) +
                                       " runs ((configs + baseline) × repetitions)");
    }
    return std::nullopt;
}

}  // namespace

std::variant<sweep_spec, request_error> parse_sweep_spec(std::string_view body) {
    auto parsed = detail::parse_json_object(body);
    if (auto* error = std::get_if<request_error>(&parsed)) return std::move(*error);
    const auto& document = std::get<json>(parsed);
    sweep_spec spec;
    for (const auto& [name, value] : document.items()) {
        if (auto error = read_field(name, value, spec)) return *std::move(error);
    }
    if (auto error = check_size(spec)) return *std::move(error);
    if (auto error = check_labels(spec)) return *std::move(error);
    return spec;
}

std::size_t config_count(const sweep_spec& spec) {
    std::size_t configs = std::max<std::size_t>(spec.backends.size(), 1);
    for (const auto& axis : spec.grid) configs *= axis.values.size();
    return configs;
}

}  // namespace chimera::core
