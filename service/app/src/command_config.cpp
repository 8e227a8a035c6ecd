#include "command_config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>
#include <variant>

#include <nlohmann/json.hpp>

#include "chimera/core/text/concat.hpp"
#include "cli_flags.hpp"
#include "duration_parse.hpp"

namespace chimera::service {
namespace {

using flag_set = std::set<std::string, std::less<>>;

const flag_set backend_flags{"ollama-url",   "connect-timeout",   "headers-timeout",  "idle-timeout",
                             "call-timeout", "backend-pool-size", "max-call-attempts"};

const flag_set limit_flags{"max-files", "max-file-bytes", "max-run-bytes", "max-json-depth", "max-csv-line-bytes"};

const flag_set log_flags{"log-format", "log-level"};

const flag_set http_flags{"auth-token-file",   "admin-listen",       "max-body-bytes",
                          "max-header-bytes",  "max-header-count",   "header-read-timeout",
                          "body-read-timeout", "keep-alive-timeout", "max-connections"};

const flag_set option_flags{"num-gpu", "num-ctx",        "temperature", "top-p",
                            "top-k",   "repeat-penalty", "num-predict", "seed"};

flag_set with(flag_set base, const flag_set& more) {
    base.insert(more.begin(), more.end());
    return base;
}

std::chrono::milliseconds duration_flag(const cli_flags& flags,
                                        std::string_view name,
                                        std::chrono::milliseconds fallback) {
    const auto text = flags.get(name);
    if (!text) {
        return fallback;
    }
    const auto parsed = parse_duration(*text);
    if (!parsed || parsed->count() == 0) {
        throw std::invalid_argument("--" + std::string{name} + " must be a duration such as 250ms, 30s or 10m, not '" +
                                    *text + "'");
    }
    return *parsed;
}

backend_settings parse_backend(const cli_flags& flags) {
    backend_settings settings;
    const char* env_host = std::getenv("OLLAMA_HOST");  // NOLINT(concurrency-mt-unsafe): read before threads start
    const auto url = flags.get("ollama-url").value_or(env_host != nullptr ? env_host : "http://127.0.0.1:11434");
    const auto endpoint = parse_backend_url(url);
    if (!endpoint) {
        throw std::invalid_argument("--ollama-url must look like http://host:port, not '" + url + "'");
    }
    settings.endpoint = *endpoint;
    settings.pool_size = flags.get_count("backend-pool-size", settings.pool_size, 1, 1024);
    settings.max_call_attempts = static_cast<int>(
        flags.get_count("max-call-attempts", static_cast<std::size_t>(settings.max_call_attempts), 1, 10));
    settings.connect_timeout = duration_flag(flags, "connect-timeout", settings.connect_timeout);
    settings.headers_timeout = duration_flag(flags, "headers-timeout", settings.headers_timeout);
    settings.idle_timeout = duration_flag(flags, "idle-timeout", settings.idle_timeout);
    settings.call_timeout = duration_flag(flags, "call-timeout", settings.call_timeout);
    return settings;
}

/// Option flags go through the same strict validation as a POST /runs body.
core::run_options parse_options(const cli_flags& flags) {
    nlohmann::json options = nlohmann::json::object();
    for (const auto& flag : option_flags) {
        if (const auto text = flags.get(flag)) {
            auto key = flag;
            std::replace(key.begin(), key.end(), '-', '_');
            const auto value = nlohmann::json::parse(*text, nullptr, false);
            options[key] = value.is_discarded() ? nlohmann::json(*text) : value;
        }
    }
    const auto parsed = core::parse_run_request(nlohmann::json{{"options", options}}.dump());
    if (const auto* error = std::get_if<core::request_error>(&parsed)) {
        throw std::invalid_argument(error->field + ": " + error->detail);
    }
    return std::get<core::run_request>(parsed).options;
}

/// "4096", "64K", "16M", "1G" (also "16MiB"): binary multiples.
std::optional<std::uint64_t> parse_byte_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
    if (unit.ends_with("iB")) unit.remove_suffix(2);
    const std::string_view units = "KMG";
    if (unit.empty()) return value;
    const auto power = units.find(unit);
    if (unit.size() != 1 || power == std::string_view::npos) return std::nullopt;
    const unsigned shift = 10 * static_cast<unsigned>(power + 1);
    if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
    return value << shift;
}

std::uint64_t byte_flag(const cli_flags& flags, std::string_view name, std::uint64_t fallback, std::uint64_t max) {
    const auto text = flags.get(name);
    if (!text) return fallback;
    const auto bytes = parse_byte_count(*text);
    if (!bytes || *bytes == 0 || *bytes > max) {
        throw std::invalid_argument("--" + std::string{name} + " must be a size from 1 byte to " +
                                    std::to_string(max >> 20) + "M, such as 4096, 64K or 16M, not '" + *text + "'");
    }
    return *bytes;
}

/// The same limits for both commands, defaults from core::ingest_limits.
core::ingest_limits parse_limits(const cli_flags& flags) {
    core::ingest_limits limits;
    limits.max_files = flags.get_count("max-files", limits.max_files, 1, 10'000'000);
    limits.max_file_bytes = byte_flag(flags, "max-file-bytes", limits.max_file_bytes, std::uint64_t{1} << 40);
    limits.max_run_bytes = byte_flag(flags, "max-run-bytes", limits.max_run_bytes, std::uint64_t{1} << 44);
    limits.max_json_depth = flags.get_count("max-json-depth", limits.max_json_depth, 1, 10'000);
    limits.max_csv_line_bytes = byte_flag(flags, "max-csv-line-bytes", limits.max_csv_line_bytes, 1U << 30);
    return limits;
}

log_settings parse_log_settings(const cli_flags& flags) {
    log_settings settings;
    if (const auto format = flags.get("log-format")) settings.format = parse_log_format(*format);
    if (const auto level = flags.get("log-level")) settings.level = parse_log_level(*level);
    return settings;
}

http_server_limits parse_http_limits(const cli_flags& flags) {
    http_server_limits limits;
    limits.max_body_bytes = byte_flag(flags, "max-body-bytes", limits.max_body_bytes, std::uint64_t{1} << 30);
    limits.max_header_bytes = byte_flag(flags, "max-header-bytes", limits.max_header_bytes, std::uint64_t{1} << 20);
    limits.max_header_count = flags.get_count("max-header-count", limits.max_header_count, 1, 10'000);
    limits.header_read_timeout = duration_flag(flags, "header-read-timeout", limits.header_read_timeout);
    limits.body_read_timeout = duration_flag(flags, "body-read-timeout", limits.body_read_timeout);
    limits.keep_alive_timeout = duration_flag(flags, "keep-alive-timeout", limits.keep_alive_timeout);
    limits.max_connections = flags.get_count("max-connections", limits.max_connections, 1, 1'000'000);
    return limits;
}

std::pair<std::string, std::uint16_t> parse_listen(const std::string& text, std::string_view flag = "--listen") {
    const auto split = split_host_port(text);
    // Port 0 is allowed here: it asks the kernel for a free port (tests, scripts).
    if (!split || split->first.empty() || (split->second != "0" && !valid_port(split->second))) {
        throw std::invalid_argument(std::string{flag} + " must be HOST:PORT (or [IPv6]:PORT), not '" + text + "'");
    }
    return {split->first, static_cast<std::uint16_t>(std::stoul(split->second))};
}

}  // namespace

serve_config parse_serve_config(std::span<char* const> args) {
    const cli_flags flags{args, with(with(with(with(backend_flags, limit_flags), log_flags), http_flags),
                                     {"listen", "data-root", "state-dir", "workers", "queue-capacity", "preload-model",
                                      "model", "max-attempts", "lease", "drain-timeout"})};
    serve_config config;
    std::tie(config.listen_host, config.listen_port) = parse_listen(flags.get_or("listen", "127.0.0.1:8080"));
    config.backend = parse_backend(flags);
    if (const auto roots = flags.get_all("data-root"); !roots.empty()) {
        config.data_roots.assign(roots.begin(), roots.end());
    }
    config.state_dir = flags.get_or("state-dir", config.state_dir.string());
    config.workers = flags.get_count("workers", config.workers, 1, 1024);
    config.queue_capacity = flags.get_count("queue-capacity", config.queue_capacity, 1, 1'000'000);
    config.model = flags.get_or("model", config.model);
    config.limits = parse_limits(flags);
    config.preload_model = flags.get_or("preload-model", "");
    config.max_attempts = static_cast<std::int64_t>(flags.get_count("max-attempts", 3, 1, 100));
    config.lease = duration_flag(flags, "lease", config.lease);
    config.drain_timeout = duration_flag(flags, "drain-timeout", config.drain_timeout);
    config.log = parse_log_settings(flags);
    config.http = parse_http_limits(flags);
    config.auth_token_file = flags.get_or("auth-token-file", "");
    if (const auto admin = flags.get("admin-listen")) {
        std::tie(config.admin_host, config.admin_port) = parse_listen(*admin, "--admin-listen");
    }
    return config;
}

run_command_config parse_run_command_config(std::span<char* const> args) {
    const cli_flags flags{args, with(with(with(with(backend_flags, option_flags), limit_flags), log_flags),
                                     {"data-dir", "model", "runs", "output-dir"})};
    run_command_config config;
    config.backend = parse_backend(flags);
    config.data_dir = flags.get_or("data-dir", config.data_dir.string());
    config.model = flags.get_or("model", config.model);
    config.runs = flags.get_count("runs", config.runs, 1, 10'000);
    config.options = parse_options(flags);
    config.output_dir = flags.get_or("output-dir", config.output_dir.string());
    config.limits = parse_limits(flags);
    config.log = parse_log_settings(flags);
    return config;
}

sweep_command_config parse_sweep_command_config(std::span<char* const> args) {
    const cli_flags flags{args, with(with(with(backend_flags, limit_flags), log_flags),
                                     {"from-recorded", "spec", "format", "model", "output-dir"})};
    sweep_command_config config;
    config.from_recorded = flags.get_or("from-recorded", "");
    config.spec_file = flags.get_or("spec", "");
    if (config.from_recorded.empty() == config.spec_file.empty()) {
        throw std::invalid_argument("sweep needs either --spec FILE or --from-recorded DIR (see chimera sweep --help)");
    }
    config.format = flags.get_or("format", config.format);
    config.backend = parse_backend(flags);
    config.model = flags.get_or("model", config.model);
    config.output_dir = flags.get_or("output-dir", config.output_dir.string());
    config.limits = parse_limits(flags);
    config.log = parse_log_settings(flags);
    return config;
}

// The flags `serve` and `run` share, in both usages.
constexpr std::string_view limit_and_log_usage =
    R"(  --max-files N             benchmark files per run, more fail the run (default 10000)
  --max-file-bytes SIZE     a bigger file is skipped, e.g. 64K, 16M (default 16M)
  --max-run-bytes SIZE      bytes read per run, more fail the run (default 256M)
  --max-json-depth N        a JSON file nested deeper is skipped (default 64)
  --max-csv-line-bytes SIZE a CSV file with a longer record is skipped (default 1M)
  --log-format json|text    log lines on stderr: JSON objects (default) or text
  --log-level LEVEL         trace, debug, info (default), warn, error, critical or off
)";

std::string serve_usage() {
    return core::detail::concat(R"(usage: chimera serve [flags]
  --listen HOST:PORT        address to serve the API on (default 127.0.0.1:8080; port 0 picks one)
  --admin-listen HOST:PORT  serve /metrics (and /healthz, /readyz) here, without a token, instead of on --listen
  --auth-token-file FILE    bearer tokens, one a line (# comments); every route but /healthz, /readyz needs one.
                            Without it the API is open to anyone who can connect
  --max-body-bytes SIZE     larger request bodies get 413 (default 1M)
  --max-header-bytes SIZE   larger request headers get 431 (default 16K); --max-header-count N fields (100)
  --header-read-timeout D   a connection must complete its request headers within D (default 10s)
  --body-read-timeout D     and its body within D (default 30s)
  --keep-alive-timeout D    idle time allowed between requests of a connection (default 75s)
  --max-connections N       open client connections; more are closed at once (default 1024)
  --ollama-url URL          Ollama backend (default http://127.0.0.1:11434, or $OLLAMA_HOST)
  --data-root DIR           runs' data_dir resolves beneath this directory (default .); repeatable:
                            a data_dir is tried beneath each root in order, the first holding it decides
  --state-dir DIR           the durable run store (runs.db) and reports live here (default ./chimera-state);
                            one process per directory
  --workers N               runs executed at once (default 2)
  --queue-capacity N        runs waiting beyond which POST /runs answers 429 (default 1000)
  --max-attempts N          executions of a run whose process died mid-run, then it fails (default 3)
  --lease D                 a running run's claim, renewed every third of it (default 30s)
  --drain-timeout D         on SIGTERM/SIGINT, how long running runs may finish before they are
                            handed back to the queue (default 25s)
  --model NAME              model of runs that name none (default )",
                                default_model, R"()
  --preload-model NAME      ask Ollama to load NAME at start-up, so the first run doesn't pay the cold load
  --backend-pool-size N     idle keep-alive connections kept to Ollama (default 8)
  --max-call-attempts N     per LLM call, retrying connect failures, 503 and resets before any byte (default 3)
  --connect-timeout D       e.g. 5s; --headers-timeout D (10m), --idle-timeout D (2m), --call-timeout D (30m)
)",
                                limit_and_log_usage);
}

std::string run_usage() {
    return core::detail::concat(R"(usage: chimera run [flags]
  --data-dir DIR            benchmark files to analyse (default .)
  --ollama-url URL          Ollama backend (default http://127.0.0.1:11434, or $OLLAMA_HOST)
  --model NAME              (default )",
                                default_model, R"()
  --runs N                  repetitions (default 1)
  --output-dir DIR          run_<n>/ per run: report.md, agent_report.md, metrics.json, run.json
                            (default ./chimera-runs)
  --num-gpu N --num-ctx N --temperature X --top-p X --top-k N --repeat-penalty X --num-predict N --seed N
  --connect-timeout D --headers-timeout D --idle-timeout D --call-timeout D --backend-pool-size N
  --max-call-attempts N
)",
                                limit_and_log_usage);
}

}  // namespace chimera::service
