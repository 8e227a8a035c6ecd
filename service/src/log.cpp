#include "log.hpp"

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

/// RFC 3339 UTC with milliseconds: sortable, and what log pipelines parse without configuration.
std::string utc_timestamp(spdlog::log_clock::time_point time) {
    const auto since_epoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const std::time_t whole = seconds.count();
    std::tm utc{};
    gmtime_r(&whole, &utc);
    char text[32];
    const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    return std::string{text, length} + fmt::format(".{:03}Z", millis);
}

std::string_view payload_of(const spdlog::details::log_msg& msg) { return {msg.payload.data(), msg.payload.size()}; }

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

std::string render_json(const spdlog::details::log_msg& msg) {
    nlohmann::ordered_json line{
        {"ts", utc_timestamp(msg.time)}, {"level", level_name(msg.level)}, {"msg", payload_of(msg)}};
    for (const auto& field : current_fields) {
        std::visit([&](const auto& value) { line[std::string{field.name}] = value; }, field.value);
    }
    // Invalid UTF-8 (a file name, a backend's error text) must not make the line unparseable.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_text(const spdlog::details::log_msg& msg) {
    std::string line = utc_timestamp(msg.time);
    line.append(" ").append(level_name(msg.level)).append(" ").append(payload_of(msg));
    for (const auto& field : current_fields) {
        line.append(" ").append(field.name).append("=");
        std::visit([&](const auto& value) { line.append(fmt::format("{}", value)); }, field.value);
    }
    return line;
}

class line_formatter final : public spdlog::formatter {
public:
    explicit line_formatter(log_format format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        append(dest, format_ == log_format::json ? render_json(msg) : render_text(msg));
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

void log_run_event(log_level level, std::string_view run_id, std::string_view stage, std::string_view message) {
    log_event(level, message, {{"run_id", run_id}, {"stage", stage}});
}

}  // namespace chimera::service
