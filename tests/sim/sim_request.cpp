#include "sim_request.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <sstream>

namespace sim {
namespace {

using json = nlohmann::ordered_json;

enum class go_type { string, boolean, integer, int_list, image_list, object, duration, any };

struct field_spec {
    std::string_view name;
    go_type type;
};

constexpr field_spec generate_fields[] = {
    {"model", go_type::string},        {"prompt", go_type::string},        {"suffix", go_type::string},
    {"system", go_type::string},       {"template", go_type::string},      {"context", go_type::int_list},
    {"stream", go_type::boolean},      {"raw", go_type::boolean},          {"format", go_type::any},
    {"keep_alive", go_type::duration}, {"images", go_type::image_list},    {"options", go_type::object},
    {"think", go_type::any},           {"truncate", go_type::boolean},     {"shift", go_type::boolean},
    {"logprobs", go_type::boolean},    {"top_logprobs", go_type::integer},
};

constexpr field_spec show_fields[] = {
    {"model", go_type::string},    {"system", go_type::string},  {"template", go_type::string},
    {"verbose", go_type::boolean}, {"options", go_type::object}, {"name", go_type::string},
};

request_error bad_request(std::string message) { return {400, std::move(message)}; }

std::string json_kind(const json& v) {
    if (v.is_string()) {
        return "string";
    }
    if (v.is_boolean()) {
        return "bool";
    }
    if (v.is_array()) {
        return "array";
    }
    if (v.is_object()) {
        return "object";
    }
    return v.is_number_float() ? "number " + v.dump() : "number";
}

std::string_view go_type_name(go_type t) {
    switch (t) {
        case go_type::string:
            return "string";
        case go_type::boolean:
            return "bool";
        case go_type::integer:
            return "int";
        case go_type::int_list:
            return "[]int";
        case go_type::image_list:
            return "[]api.ImageData";
        case go_type::object:
            return "map[string]interface {}";
        default:
            return "interface {}";
    }
}

// The reflect type name Go prints for a value decoded into `any`.
std::string_view go_any_type(const json& v) {
    if (v.is_boolean()) {
        return "bool";
    }
    if (v.is_array()) {
        return "[]interface {}";
    }
    return v.is_object() ? "map[string]interface {}" : "float64";
}

std::string unmarshal_error(std::string_view go_struct, std::string_view field, const json& v, std::string_view type) {
    return "json: cannot unmarshal " + json_kind(v) + " into Go struct field " + std::string{go_struct} + "." +
           std::string{field} + " of type " + std::string{type};
}

bool is_integer(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

std::optional<std::string> list_error(std::string_view go_struct, const field_spec& f, const json& v) {
    const bool ints = f.type == go_type::int_list;
    for (const auto& item : v) {
        if (!item.is_null() && (ints ? !is_integer(item) : !item.is_string())) {
            return unmarshal_error(go_struct, f.name, item, ints ? "int" : "api.ImageData");
        }
    }
    return std::nullopt;
}

std::optional<std::string> type_error(std::string_view go_struct, const field_spec& f, const json& v) {
    if (v.is_null() || f.type == go_type::any || f.type == go_type::duration) {
        return std::nullopt;
    }
    const bool ok = (f.type == go_type::string && v.is_string()) || (f.type == go_type::boolean && v.is_boolean()) ||
                    (f.type == go_type::integer && is_integer(v)) || (f.type == go_type::object && v.is_object()) ||
                    ((f.type == go_type::int_list || f.type == go_type::image_list) && v.is_array());
    if (!ok) {
        return unmarshal_error(go_struct, f.name, v, go_type_name(f.type));
    }
    return v.is_array() ? list_error(go_struct, f, v) : std::nullopt;
}

std::string quote_char(char c) {
    if (c == '\'') {
        return R"('\'')";
    }
    if (std::isprint(static_cast<unsigned char>(c))) {
        return std::string{'\''} + c + '\'';
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "'\\x%02x'", static_cast<unsigned char>(c));
    return buf;
}

std::variant<json, request_error> parse_first_value(std::string_view body) {
    if (std::all_of(body.begin(), body.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
        return bad_request("missing request body");
    }
    // Like json.Decoder, read one value and ignore whatever follows it.
    std::istringstream in{std::string{body}};
    json value;
    try {
        in >> value;
    } catch (const json::parse_error& e) {
        if (std::string_view{e.what()}.find("unexpected end of input") != std::string_view::npos) {
            return bad_request("unexpected EOF");
        }
        const auto at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, body.size() - 1);
        return bad_request("invalid character " + quote_char(body[at]) + " looking for beginning of value");
    }
    return value;
}

// Decodes into the canonical field names; keys match case-insensitively, the last duplicate wins.
std::variant<json, request_error> decode_struct(std::string_view body,
                                                std::string_view go_struct,
                                                std::span<const field_spec> fields) {
    auto parsed = parse_first_value(body);
    if (auto* error = std::get_if<request_error>(&parsed)) {
        return *error;
    }
    const json& value = std::get<json>(parsed);
    json out = json::object();
    if (value.is_null()) {
        return out;
    }
    if (!value.is_object()) {
        return bad_request("json: cannot unmarshal " + json_kind(value) + " into Go value of type api." +
                           std::string{go_struct});
    }
    for (const auto& [key, v] : value.items()) {
        std::string lower = key;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto f = std::find_if(std::begin(fields), std::end(fields), [&](auto& s) { return s.name == lower; });
        if (f == std::end(fields)) {
            continue;
        }
        if (auto error = type_error(go_struct, *f, v)) {
            return bad_request(*error);
        }
        out[std::string{f->name}] = v;
    }
    return out;
}

// time.ParseDuration: e.g. "300ms", "-1.5h", "2h45m"; a lone "0" needs no unit.
std::variant<std::chrono::nanoseconds, std::string> parse_go_duration(std::string_view text) {
    static const std::map<std::string_view, double, std::less<>> units{
        {"ns", 1},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
        {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
    // Appended rather than concatenated: GCC 12 raises a false -Wrestrict on `"\"" + str + "\""`.
    std::string quoted{'"'};
    quoted.append(text).push_back('"');
    std::string_view s = text;
    const bool negative = !s.empty() && s.front() == '-';
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        s.remove_prefix(1);
    }
    if (s == "0") {
        return std::chrono::nanoseconds::zero();
    }
    if (s.empty()) {
        return "time: invalid duration " + quoted;
    }
    double total = 0;
    while (!s.empty()) {
        const auto number_end = s.find_first_not_of("0123456789.");
        const auto number = s.substr(0, number_end);
        if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1) {
            return "time: invalid duration " + quoted;
        }
        s.remove_prefix(number.size());
        const auto unit_name = s.substr(0, s.find_first_of("0123456789."));
        if (unit_name.empty()) {
            return "time: missing unit in duration " + quoted;
        }
        const auto unit = units.find(unit_name);
        if (unit == units.end()) {
            return "time: unknown unit \"" + std::string{unit_name} + "\" in duration " + quoted;
        }
        total += std::stod(std::string{number}) * unit->second;
        s.remove_prefix(unit_name.size());
    }
    return std::chrono::nanoseconds{static_cast<std::int64_t>(negative ? -total : total)};
}

// api.Duration.UnmarshalJSON: numbers are whole seconds, strings are Go durations, negative is forever.
std::optional<request_error> decode_keep_alive(const json& v, generate_request& req) {
    if (v.is_number()) {
        const double seconds = std::trunc(v.get<double>());
        req.keep_alive = std::chrono::nanoseconds{static_cast<std::int64_t>(seconds * 1e9)};
    } else if (v.is_string()) {
        auto parsed = parse_go_duration(v.get<std::string>());
        if (auto* error = std::get_if<std::string>(&parsed)) {
            return bad_request(*error);
        }
        req.keep_alive = std::get<std::chrono::nanoseconds>(parsed);
    } else {
        return bad_request("Unsupported type: '" + std::string{go_any_type(v)} + "'");
    }
    return std::nullopt;
}

std::string string_field(const json& fields, const char* name) {
    const auto it = fields.find(name);
    return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool bool_field(const json& fields, const char* name, bool fallback) {
    const auto it = fields.find(name);
    return it != fields.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

bool nonempty(const json& fields, const char* name) {
    const auto it = fields.find(name);
    return it != fields.end() && !it->is_null() && !it->empty();
}

enum class option_kind { integer, float32, boolean, string_list };

const std::map<std::string_view, option_kind, std::less<>>& option_kinds() {
    static const std::map<std::string_view, option_kind, std::less<>> kinds{
        {"num_ctx", option_kind::integer},
        {"num_batch", option_kind::integer},
        {"num_gpu", option_kind::integer},
        {"main_gpu", option_kind::integer},
        {"use_mmap", option_kind::boolean},
        {"num_thread", option_kind::integer},
        {"num_keep", option_kind::integer},
        {"seed", option_kind::integer},
        {"num_predict", option_kind::integer},
        {"top_k", option_kind::integer},
        {"top_p", option_kind::float32},
        {"min_p", option_kind::float32},
        {"typical_p", option_kind::float32},
        {"repeat_last_n", option_kind::integer},
        {"temperature", option_kind::float32},
        {"repeat_penalty", option_kind::float32},
        {"presence_penalty", option_kind::float32},
        {"frequency_penalty", option_kind::float32},
        {"stop", option_kind::string_list},
    };
    return kinds;
}

std::optional<std::string> option_error(const std::string& key, option_kind kind, const json& v) {
    const auto must_be = [&](std::string_view what) { return "option \"" + key + "\" must be " + std::string{what}; };
    switch (kind) {
        case option_kind::integer:
            return v.is_number() ? std::nullopt : std::optional{must_be("of type integer")};
        case option_kind::float32:
            return v.is_number() ? std::nullopt : std::optional{must_be("of type float32")};
        case option_kind::boolean:
            return v.is_boolean() ? std::nullopt : std::optional{must_be("of type boolean")};
        case option_kind::string_list:
            if (!v.is_array()) {
                return must_be("of type array");
            }
            return std::all_of(v.begin(), v.end(), [](const json& s) { return s.is_string(); })
                       ? std::nullopt
                       : std::optional{must_be("of an array of strings")};
    }
    return std::nullopt;
}

}  // namespace

std::variant<generate_request, request_error> decode_generate_request(std::string_view body) {
    auto decoded = decode_struct(body, "GenerateRequest", generate_fields);
    if (auto* error = std::get_if<request_error>(&decoded)) {
        return *error;
    }
    const json& fields = std::get<json>(decoded);
    generate_request req;
    req.model = string_field(fields, "model");
    req.prompt = string_field(fields, "prompt");
    req.system = string_field(fields, "system");
    req.stream = bool_field(fields, "stream", true);
    req.raw = bool_field(fields, "raw", false);
    req.template_or_context = !string_field(fields, "template").empty() || nonempty(fields, "context");
    if (const auto think = fields.find("think"); think != fields.end()) {
        req.think = think->is_string() || (think->is_boolean() && think->get<bool>());
    }
    if (const auto keep_alive = fields.find("keep_alive"); keep_alive != fields.end() && !keep_alive->is_null()) {
        if (auto error = decode_keep_alive(*keep_alive, req)) {
            return *error;
        }
    }
    if (const auto options = fields.find("options"); options != fields.end() && options->is_object()) {
        req.options = *options;
    }
    return req;
}

std::variant<std::string, request_error> decode_show_request(std::string_view body) {
    auto decoded = decode_struct(body, "ShowRequest", show_fields);
    if (auto* error = std::get_if<request_error>(&decoded)) {
        return *error;
    }
    const json& fields = std::get<json>(decoded);
    auto model = string_field(fields, "name");
    if (model.empty()) {
        model = string_field(fields, "model");
    }
    if (model.empty()) {
        return bad_request("model is required");
    }
    return model;
}

std::variant<run_options, request_error> decode_options(const nlohmann::ordered_json& options) {
    run_options out;
    for (const auto& [key, v] : options.items()) {
        const auto kind = option_kinds().find(key);
        if (kind == option_kinds().end() || v.is_null()) {
            continue;
        }
        if (auto error = option_error(key, kind->second, v)) {
            return request_error{500, *error};
        }
        if (key == "num_predict") {
            out.num_predict = static_cast<std::int64_t>(v.get<double>());
        }
    }
    return out;
}

}  // namespace sim
