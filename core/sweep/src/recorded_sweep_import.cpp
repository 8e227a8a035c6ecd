#include "chimera/core/sweep/recorded_sweep_import.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "sweep_options.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

enum class layout { rust, python };

[[nodiscard]] const json& member(const json& object, std::string_view key, const std::string& where) {
    if (!object.is_object() || !object.contains(key)) {
        throw recorded_format_error(where + " has no \"" + std::string(key) + "\"");
    }
    return object[std::string(key)];
}

[[nodiscard]] double number(const json& object, std::string_view key, const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_number()) throw recorded_format_error(where + "." + std::string(key) + " must be a number");
    return value.get<double>();
}

[[nodiscard]] std::int64_t integer(const json& object, std::string_view key, const std::string& where) {
    const auto& value = member(object, key, where);
    if (!value.is_number_integer()) throw recorded_format_error(where + "." + std::string(key) + " must be an integer");
    return value.get<std::int64_t>();
}

[[nodiscard]] const json& array(const json& value, const std::string& where) {
    if (!value.is_array()) throw recorded_format_error(where + " must be an array");
    return value;
}

[[nodiscard]] layout layout_of(const recorded_metrics_file& file) {
    if (file.metrics.is_object() && file.metrics.contains("baseline") && file.metrics.contains("chimera")) {
        return layout::rust;
    }
    if (file.metrics.is_array() && !file.metrics.empty() && file.metrics[0].is_object() &&
        file.metrics[0].contains("baseline_results")) {
        return layout::python;
    }
    throw recorded_format_error(file.folder + ": neither the Rust nor the Python agent's metrics.json layout");
}

/// The Rust agent stored options as f32 (0.6 became 0.6000000238418579); the shortest float
/// text gives back the value that was typed.
[[nodiscard]] json without_f32_noise(const json& value) {
    if (!value.is_number_float()) return value;
    std::array<char, 32> buffer{};
    const auto f32 = static_cast<float>(value.get<double>());
    const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), f32).ptr;
    return json::parse(std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())));
}

[[nodiscard]] run_options recorded_options(const json& configuration, const std::string& where, layout kind) {
    if (!configuration.is_object()) throw recorded_format_error(where + " must be an object");
    json cleaned = json::object();
    for (const auto& [name, value] : configuration.items()) {
        cleaned[name] = kind == layout::rust ? without_f32_noise(value) : value;
    }
    auto parsed = detail::parse_options(cleaned);
    if (const auto* error = std::get_if<request_error>(&parsed)) {
        throw recorded_format_error(where + ": " + error->field + " " + error->detail);
    }
    return std::get<run_options>(parsed);
}

[[nodiscard]] run_observation rust_run(const json& run, const std::string& where) {
    run_observation observation;
    observation.tokens_generated = integer(run, "tokens_generated", where);
    // tokens / (ms / 1000) is the agent's own expression: the published figures match to the bit.
    observation.tokens_per_second =
        static_cast<double>(observation.tokens_generated) / (number(run, "eval_duration_ms", where) / 1000);
    observation.duration_ms = number(run, "total_duration_ms", where);
    observation.calls.push_back({number(run, "ttft_ms", where), number(run, "load_duration_ms", where)});
    return observation;
}

[[nodiscard]] observed_arm rust_arm(const json& block, const std::string& label, const std::string& where) {
    observed_arm arm;
    arm.label = label;
    arm.options = recorded_options(member(block, "configuration", where), where + ".configuration", layout::rust);
    const auto& runs = array(member(block, "individual_runs", where), where + ".individual_runs");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        arm.runs.push_back(rust_run(runs[i], where + ".individual_runs[" + std::to_string(i) + "]"));
    }
    return arm;
}

/// The Python agent kept per-run aggregates only: mean tok/s and TTFT over the run's calls.
[[nodiscard]] run_observation python_run(const json& metrics, const std::string& where) {
    const auto aggregate_where = where + ".aggregate_metrics";
    const auto& aggregate = member(metrics, "aggregate_metrics", where);
    run_observation observation;
    observation.tokens_per_second = number(aggregate, "average_tokens_per_second", aggregate_where);
    observation.tokens_generated = integer(aggregate, "total_tokens_generated", aggregate_where);
    observation.duration_ms = number(aggregate, "total_duration_ms", aggregate_where);
    observation.calls.push_back({number(aggregate, "average_ttft_ms", aggregate_where), std::nullopt});
    return observation;
}

[[nodiscard]] observed_arm python_arm(const json& runs,
                                      std::string_view block,
                                      const std::string& label,
                                      const std::string& folder) {
    observed_arm arm;
    arm.label = label;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto where = folder + ": [" + std::to_string(i) + "]." + std::string(block) + ".metrics";
        const auto& metrics = member(member(runs[i], block, folder), "metrics", where);
        if (i == 0) arm.options = recorded_options(member(metrics, "configuration", where), where, layout::python);
        arm.runs.push_back(python_run(metrics, where));
    }
    return arm;
}

[[nodiscard]] std::string model_of(const recorded_metrics_file& file, layout kind) {
    const auto& block = kind == layout::rust
                            ? member(file.metrics, "chimera", file.folder)
                            : member(member(file.metrics[0], "chimera_results", file.folder), "metrics", file.folder);
    const auto& model = member(block, "model", file.folder);
    if (!model.is_string()) throw recorded_format_error(file.folder + ": model must be a string");
    return model.get<std::string>();
}

[[nodiscard]] std::string config_label(const std::string& folder, layout kind) {
    constexpr std::string_view python_prefix = "run_";
    if (kind == layout::python && folder.starts_with(python_prefix)) return folder.substr(python_prefix.size());
    return folder;
}

/// Consumes `literal` followed by one or more digits.
[[nodiscard]] bool take(std::string_view& text, std::string_view literal) {
    if (!text.starts_with(literal)) return false;
    text.remove_prefix(literal.size());
    const auto digits = std::min(text.find_first_not_of("0123456789"), text.size());
    text.remove_prefix(digits);
    return digits > 0;
}

/// gpu<G>_ctx<C>_temp<T>, T written 0p6 for 0.6: the name of every config of the sweep grid.
[[nodiscard]] bool in_grid(std::string_view label) {
    if (!take(label, "gpu") || !take(label, "_ctx") || !take(label, "_temp")) return false;
    return label.empty() || (take(label, "p") && label.empty());
}

void import_file(const recorded_metrics_file& file, layout kind, sweep_observations& out) {
    const auto label = config_label(file.folder, kind);
    const auto baseline_label = "baseline/" + label;
    observed_config config;
    if (kind == layout::rust) {
        out.baselines.push_back(
            rust_arm(member(file.metrics, "baseline", file.folder), baseline_label, file.folder + ": baseline"));
        config.arm = rust_arm(member(file.metrics, "chimera", file.folder), label, file.folder + ": chimera");
    } else {
        out.baselines.push_back(python_arm(file.metrics, "baseline_results", baseline_label, file.folder));
        config.arm = python_arm(file.metrics, "chimera_results", label, file.folder);
    }
    config.baseline = out.baselines.size() - 1;
    config.in_grid = in_grid(label);
    out.configs.push_back(std::move(config));
}

}  // namespace

std::string recorded_folder(const std::filesystem::path& metrics_file) {
    const auto dir = metrics_file.parent_path();
    return (dir.filename() == "data" ? dir.parent_path() : dir).filename().string();
}

sweep_observations import_recorded_sweep(std::span<const recorded_metrics_file> files) {
    if (files.empty()) throw recorded_format_error("no recorded metrics.json files");
    const auto kind = layout_of(files.front());
    sweep_observations out;
    out.model = model_of(files.front(), kind);
    for (const auto& file : files) {
        if (layout_of(file) != kind) {
            throw recorded_format_error(file.folder + ": mixes the Rust and the Python agent's recordings");
        }
        if (model_of(file, kind) != out.model) {
            throw recorded_format_error(file.folder + ": model differs from " + out.model);
        }
        import_file(file, kind, out);
    }
    return out;
}

}  // namespace chimera::core
