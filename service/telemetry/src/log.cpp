#include "chimera/telemetry/log.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "chimera/core/text/json_text.hpp"
#include "chimera/core/text/terminal_text.hpp"

namespace chimera::service {
namespace {

// Fields of the event being logged on this thread. Loggers here are synchronous, so the
// formatter runs on the caller's thread inside the call that set them.
thread_local std::span<const log_field> current_fields;

spdlog::level::level_enum to_spdlog(log_level level) {
    return static_cast<spdlog::level::level_enum>(static_cast<int>(level));
}

// In log_level order, which is spdlog's.
constexpr std::string_view level_names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

std::string_view level_name(spdlog::level::level_enum level) { return level_names[static_cast<int>(level)]; }

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

/// RFC 3339 UTC with milliseconds: sortable, and what log pipelines parse without configuration.
/// The date and time of day are formatted once per second (per thread), not per line.
void append_utc_timestamp(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time) {
    thread_local std::time_t formatted_second = -1;
    thread_local std::array<char, 32> formatted{};
    thread_local std::size_t formatted_length = 0;
    const auto since_epoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    if (const std::time_t whole = seconds.count(); whole != formatted_second) {
        std::tm utc{};
        gmtime_r(&whole, &utc);
        formatted_length = std::strftime(formatted.data(), formatted.size(), "%Y-%m-%dT%H:%M:%S", &utc);
        formatted_second = whole;
    }
    append(dest, {formatted.data(), formatted_length});
    const std::array<char, 5> fraction{'.', static_cast<char>('0' + millis / 100),
                                       static_cast<char>('0' + millis / 10 % 10), static_cast<char>('0' + millis % 10),
                                       'Z'};
    append(dest, {fraction.data(), fraction.size()});
}

std::string utc_timestamp(spdlog::log_clock::time_point time) {
    spdlog::memory_buf_t text;
    append_utc_timestamp(text, time);
    return fmt::to_string(text);
}

std::string_view payload_of(const spdlog::details::log_msg& msg) { return {msg.payload.data(), msg.payload.size()}; }

std::string render_json(const spdlog::details::log_msg& msg) {
    nlohmann::ordered_json line{
        {"ts", utc_timestamp(msg.time)}, {"level", level_name(msg.level)}, {"msg", payload_of(msg)}};
    for (const auto& field : current_fields) {
        std::visit([&](const auto& value) { line[std::string{field.name}] = value; }, field.value);
    }
    // Invalid UTF-8 (a file name, a backend's error text) must not make the line unparseable.
    return core::json_text(line);
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool reserved_or_repeated(std::size_t index) {
    const auto name = current_fields[index].name;
    if (name == "ts" || name == "level" || name == "msg") return true;
    return std::any_of(current_fields.begin(), current_fields.begin() + static_cast<std::ptrdiff_t>(index),
                       [&](const log_field& earlier) { return earlier.name == name; });
}

/// Whether the line can be written directly: ASCII text only (invalid UTF-8 needs nlohmann's
/// replacement) and no field name that a JSON object would merge (nlohmann keeps the last).
bool writes_directly(const spdlog::details::log_msg& msg) {
    if (!is_ascii(payload_of(msg))) return false;
    for (std::size_t i = 0; i < current_fields.size(); ++i) {
        const auto* text = std::get_if<std::string_view>(&current_fields[i].value);
        if (!is_ascii(current_fields[i].name) || (text != nullptr && !is_ascii(*text)) || reserved_or_repeated(i)) {
            return false;
        }
    }
    return true;
}

/// The escape of an ASCII character in a JSON string, as nlohmann writes it; empty: as is.
std::string_view json_escape(char c, std::array<char, 6>& control) {
    switch (c) {
        case '"':
            return "\\\"";
        case '\\':
            return "\\\\";
        case '\n':
            return "\\n";
        case '\r':
            return "\\r";
        case '\t':
            return "\\t";
        case '\b':
            return "\\b";
        case '\f':
            return "\\f";
        default:
            if (static_cast<unsigned char>(c) >= 0x20) return {};
            fmt::format_to_n(control.data(), control.size(), "\\u{:04x}", static_cast<int>(c));
            return {control.data(), control.size()};
    }
}

/// A JSON string of ASCII text, escaped as nlohmann escapes it; the runs between escapes
/// are copied whole (an access line is mostly such runs).
void append_json_string(spdlog::memory_buf_t& dest, std::string_view text) {
    dest.push_back('"');
    std::array<char, 6> control{};
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto escape = json_escape(text[i], control);
        if (escape.empty()) continue;
        append(dest, text.substr(run, i - run));
        append(dest, escape);
        run = i + 1;
    }
    append(dest, text.substr(run));
    dest.push_back('"');
}

/// A double stays a JSON double (1.0, not 1); NaN and infinities are null, as in nlohmann.
void append_json_number(spdlog::memory_buf_t& dest, double value) {
    if (!std::isfinite(value)) {
        append(dest, "null");
        return;
    }
    const auto start = dest.size();
    fmt::format_to(std::back_inserter(dest), "{}", value);
    const std::string_view written{dest.data() + start, dest.size() - start};
    if (written.find_first_of(".e") == std::string_view::npos) append(dest, ".0");
}

void append_json_value(spdlog::memory_buf_t& dest, const std::variant<std::string_view, std::int64_t, double>& value) {
    if (const auto* text = std::get_if<std::string_view>(&value)) {
        append_json_string(dest, *text);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        const fmt::format_int digits{*integer};
        dest.append(digits.data(), digits.data() + digits.size());
    } else {
        append_json_number(dest, std::get<double>(value));
    }
}

/// The line render_json would give, written straight into spdlog's buffer: the access log
/// writes one per request, and a JSON document per line cost more than the rest of /healthz.
void append_json_line(spdlog::memory_buf_t& dest, const spdlog::details::log_msg& msg) {
    append(dest, R"({"ts":")");
    append_utc_timestamp(dest, msg.time);
    append(dest, R"(","level":")");
    append(dest, level_name(msg.level));
    append(dest, R"(","msg":)");
    append_json_string(dest, payload_of(msg));
    for (const auto& field : current_fields) {
        dest.push_back(',');
        append_json_string(dest, field.name);
        dest.push_back(':');
        append_json_value(dest, field.value);
    }
    dest.push_back('}');
}

std::string render_text(const spdlog::details::log_msg& msg) {
    std::string line = utc_timestamp(msg.time);
    line.append(" ").append(level_name(msg.level)).append(" ").append(payload_of(msg));
    for (const auto& field : current_fields) {
        line.append(" ").append(field.name).append("=");
        std::visit([&](const auto& value) { line.append(fmt::format("{}", value)); }, field.value);
    }
    // A line of the terminal's, not the client's: no control character a client sent (in a path,
    // a model name) reaches it, and it stays one line.
    return core::detail::terminal_text(line, core::detail::line_breaks::show);
}

class line_formatter final : public spdlog::formatter {
public:
    explicit line_formatter(log_format format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        if (format_ == log_format::text) {
            append(dest, render_text(msg));
        } else if (writes_directly(msg)) {
            append_json_line(dest, msg);
        } else {
            append(dest, render_json(msg));
        }
        dest.push_back('\n');
    }

    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<line_formatter>(format_);
    }

private:
    log_format format_;
};

void install(const log_settings& settings, spdlog::sink_ptr sink) {
    sink->set_formatter(std::make_unique<line_formatter>(settings.format));
    auto logger = std::make_shared<spdlog::logger>("chimera", std::move(sink));
    logger->set_level(to_spdlog(settings.level));
    spdlog::set_default_logger(std::move(logger));
}

void log_with_fields(log_level level, std::string_view message, std::span<const log_field> fields) {
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(to_spdlog(level))) {
        return;
    }
    const auto outer = current_fields;
    current_fields = fields;
    logger->log(to_spdlog(level), spdlog::string_view_t{message.data(), message.size()});
    current_fields = outer;
}

}  // namespace

log_format parse_log_format(std::string_view text) {
    if (text == "json") return log_format::json;
    if (text == "text") return log_format::text;
    throw std::invalid_argument("--log-format must be json or text, not '" + std::string{text} + "'");
}

log_level parse_log_level(std::string_view text) {
    for (std::size_t i = 0; i < std::size(level_names); ++i) {
        if (text == level_names[i]) return static_cast<log_level>(i);
    }
    throw std::invalid_argument("--log-level must be one of trace, debug, info, warn, error, critical, off, not '" +
                                std::string{text} + "'");
}

std::string_view to_string(log_format format) { return format == log_format::json ? "json" : "text"; }

std::string_view to_string(log_level level) { return level_names[static_cast<std::size_t>(level)]; }

void configure_logging(const log_settings& settings) {
    install(settings, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

void configure_logging(const log_settings& settings, std::ostream& out) {
    // Flushed per line so a test reads what was logged without waiting for a flush level.
    install(settings, std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true));
}

void log_event(log_level level, std::string_view message, std::initializer_list<log_field> fields) {
    log_with_fields(level, message, {fields.begin(), fields.size()});
}

void log_event(log_level level, std::string_view message, std::span<const log_field> fields) {
    log_with_fields(level, message, fields);
}

bool log_enabled(log_level level) { return spdlog::default_logger_raw()->should_log(to_spdlog(level)); }

void log_run_event(log_level level,
                   std::string_view run_id,
                   std::string_view stage,
                   std::string_view message,
                   std::string_view request_id) {
    if (request_id.empty()) {
        log_event(level, message, {{"run_id", run_id}, {"stage", stage}});
        return;
    }
    log_event(level, message, {{"run_id", run_id}, {"stage", stage}, {"request_id", request_id}});
}

std::string_view request_id_of(const core::run_document& run) {
    return run.request_id ? std::string_view{*run.request_id} : std::string_view{};
}

}  // namespace chimera::service
