#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string_view>
#include <variant>

#include "chimera/core/run/run_document.hpp"

namespace chimera::service {

enum class log_format { json, text };
enum class log_level { trace, debug, info, warn, error, critical, off };

struct log_settings {
    log_format format = log_format::json;
    log_level level = log_level::info;
};

/// `--log-format` and `--log-level` values; std::invalid_argument names the flag.
[[nodiscard]] log_format parse_log_format(std::string_view text);
[[nodiscard]] log_level parse_log_level(std::string_view text);
/// The names those flags take.
[[nodiscard]] std::string_view to_string(log_format format);
[[nodiscard]] std::string_view to_string(log_level level);

/// Installs the process-wide logger on stderr: one line per event, JSON objects with
/// `ts`, `level`, `msg` and the event's fields, or human-readable text. Plain
/// spdlog calls elsewhere go through the same formatting.
void configure_logging(const log_settings& settings);

/// The same, writing to `out`: for tests.
void configure_logging(const log_settings& settings, std::ostream& out);

/// A named field of one log line. String values must outlive the logging call only.
struct log_field {
    std::string_view name;
    std::variant<std::string_view, std::int64_t, double> value;
};

void log_event(log_level level, std::string_view message, std::initializer_list<log_field> fields);

/// The same, with fields gathered at run time (some present only sometimes).
void log_event(log_level level, std::string_view message, std::span<const log_field> fields);

/// Whether a line at `level` would be written: lets a caller skip gathering its fields.
[[nodiscard]] bool log_enabled(log_level level);

/// A line about one run, carrying its `run_id`, the `stage` it is in and, when known, the
/// `request_id` of the request that created it.
void log_run_event(log_level level,
                   std::string_view run_id,
                   std::string_view stage,
                   std::string_view message,
                   std::string_view request_id = {});

/// A run's request id for its log lines; empty when it has none.
[[nodiscard]] std::string_view request_id_of(const core::run_document& run);

}  // namespace chimera::service
