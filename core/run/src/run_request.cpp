#include "chimera/core/run/run_request.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "chimera/core/run/json_object_parse.hpp"
#include "chimera/core/text/text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

constexpr std::size_t max_model_chars = 200;
constexpr std::size_t max_label_chars = 200;
constexpr std::size_t max_backend_chars = 64;
constexpr std::size_t max_data_dir_bytes = 4096;

using maybe_error = std::optional<request_error>;

[[nodiscard]] request_error field_error(std::string field, std::string detail) {
    return {std::move(field), std::move(detail)};
}

[[nodiscard]] std::string describe_integer_range(const integer_option& option) {
    if (option.min == int64_min && option.max == int64_max) return "must be a signed 64-bit integer";
    if (option.max == int64_max) return "must be an integer >= " + std::to_string(option.min);
    return "must be an integer from " + std::to_string(option.min) + " to " + std::to_string(option.max);
}

[[nodiscard]] maybe_error read_integer(const integer_option& option, const json& value, run_options& out) {
    const std::string field = "options." + std::string(option.name);
    if (!value.is_number_integer()) return field_error(field, "must be an integer");
    const bool too_big =
        value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(int64_max);
    const std::int64_t parsed = too_big ? int64_max : value.get<std::int64_t>();
    if (too_big || parsed < option.min || parsed > option.max)
        return field_error(field, describe_integer_range(option));
    out.*option.member = parsed;
    return std::nullopt;
}

[[nodiscard]] maybe_error read_number(const number_option& option, const json& value, run_options& out) {
    const std::string field = "options." + std::string(option.name);
    if (!value.is_number()) return field_error(field, "must be a number");
    const auto parsed = value.get<double>();
    if (!std::isfinite(parsed) || parsed < option.min || parsed > option.max) {
        return field_error(field, "must be a number from " + detail::format_number(option.min) + " to " +
                                      detail::format_number(option.max));
    }
    out.*option.member = parsed;
    return std::nullopt;
}

[[nodiscard]] maybe_error read_option(const std::string& name, const json& value, run_options& out) {
    for (const auto& option : integer_options) {
        if (option.name == name) return read_integer(option, value, out);
    }
    for (const auto& option : number_options) {
        if (option.name == name) return read_number(option, value, out);
    }
    return field_error("options." + name, "unknown field");
}

[[nodiscard]] maybe_error read_options(const json& value, run_options& out) {
    if (!value.is_object()) return field_error("options", "must be an object");
    for (const auto& [name, option_value] : value.items()) {
        if (auto error = read_option(name, option_value, out)) return error;
    }
    return std::nullopt;
}

[[nodiscard]] maybe_error read_text(const json& value,
                                    const char* field,
                                    std::size_t min_chars,
                                    std::size_t max_chars,
                                    std::optional<std::string>& out) {
    if (!value.is_string()) return field_error(field, "must be a string");
    const auto& text = value.get_ref<const std::string&>();
    const std::size_t chars = detail::utf8_length(text);
    if (chars < min_chars || chars > max_chars) {
        return field_error(
            field, "must be " + std::to_string(min_chars) + " to " + std::to_string(max_chars) + " characters long");
    }
    out = text;
    return std::nullopt;
}

[[nodiscard]] maybe_error read_data_dir(const json& value, std::optional<std::string>& out) {
    if (!value.is_string()) return field_error("data_dir", "must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > max_data_dir_bytes) {
        return field_error("data_dir", "must be 1 to " + std::to_string(max_data_dir_bytes) + " bytes long");
    }
    // A NUL would silently cut the path short at the filesystem call.
    if (text.find('\0') != std::string::npos) return field_error("data_dir", "must not contain NUL");
    out = text;
    return std::nullopt;
}

[[nodiscard]] maybe_error read_field(const std::string& name, const json& value, run_request& out) {
    if (name == "model") return read_text(value, "model", 1, max_model_chars, out.model);
    if (name == "label") return read_text(value, "label", 0, max_label_chars, out.label);
    if (name == "data_dir") return read_data_dir(value, out.data_dir);
    if (name == "backend") return read_text(value, "backend", 1, max_backend_chars, out.backend);
    if (name == "options") return read_options(value, out.options);
    return field_error(name, "unknown field");
}

}  // namespace

std::variant<run_request, request_error> parse_run_request(std::string_view body) {
    if (body.empty()) return run_request{};
    auto parsed = detail::parse_json_object(body);
    if (auto* error = std::get_if<request_error>(&parsed)) return std::move(*error);
    const auto& document = std::get<json>(parsed);
    run_request request;
    for (const auto& [name, value] : document.items()) {
        if (auto error = read_field(name, value, request)) return *std::move(error);
    }
    return request;
}

}  // namespace chimera::core
