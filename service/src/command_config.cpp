#include "command_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <variant>

#include <nlohmann/json.hpp>

#include "cli_flags.hpp"
#include "duration_parse.hpp"

namespace chimera::service {
namespace {

using flag_set = std::set<std::string, std::less<>>;

const flag_set backend_flags{"ollama-url",   "connect-timeout", "headers-timeout",
                             "idle-timeout", "call-timeout",    "backend-pool-size"};

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

std::pair<std::string, std::uint16_t> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        throw std::invalid_argument("--listen must be HOST:PORT, not '" + text + "'");
    }
    const auto port = std::strtoul(text.c_str() + colon + 1, nullptr, 10);
    if (port > 65535 || text.substr(colon + 1).find_first_not_of("0123456789") != std::string::npos) {
        throw std::invalid_argument("--listen has an invalid port in '" + text + "'");
    }
    return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

}  // namespace

serve_config parse_serve_config(std::span<char* const> args) {
    const cli_flags flags{
        args, with(backend_flags, {"listen", "data-root", "state-dir", "workers", "queue-capacity", "model"})};
    serve_config config;
    std::tie(config.listen_host, config.listen_port) = parse_listen(flags.get_or("listen", "127.0.0.1:8080"));
    config.backend = parse_backend(flags);
    config.data_root = flags.get_or("data-root", config.data_root.string());
    config.state_dir = flags.get_or("state-dir", config.state_dir.string());
    config.workers = flags.get_count("workers", config.workers, 1, 1024);
    config.queue_capacity = flags.get_count("queue-capacity", config.queue_capacity, 1, 1'000'000);
    config.model = flags.get_or("model", config.model);
    return config;
}

run_command_config parse_run_command_config(std::span<char* const> args) {
    const cli_flags flags{args, with(with(backend_flags, option_flags), {"data-dir", "model", "runs", "output-dir"})};
    run_command_config config;
    config.backend = parse_backend(flags);
    config.data_dir = flags.get_or("data-dir", config.data_dir.string());
    config.model = flags.get_or("model", config.model);
    config.runs = flags.get_count("runs", config.runs, 1, 10'000);
    config.options = parse_options(flags);
    config.output_dir = flags.get_or("output-dir", config.output_dir.string());
    return config;
}

std::string serve_usage() {
    return R"(usage: chimera serve [flags]
  --listen HOST:PORT        address to serve the API on (default 127.0.0.1:8080; port 0 picks one)
  --ollama-url URL          Ollama backend (default http://127.0.0.1:11434, or $OLLAMA_HOST)
  --data-root DIR           runs' data_dir resolves beneath this directory (default .)
  --state-dir DIR           finished runs and reports are written here (default ./chimera-state)
  --workers N               runs executed at once (default 2)
  --queue-capacity N        runs waiting beyond which POST /runs answers 429 (default 1000)
  --model NAME              model of runs that name none (default gemma3:latest)
  --backend-pool-size N     idle keep-alive connections kept to Ollama (default 8)
  --connect-timeout D       e.g. 5s; --headers-timeout D (10m), --idle-timeout D (2m), --call-timeout D (30m)
)";
}

std::string run_usage() {
    return R"(usage: chimera run [flags]
  --data-dir DIR            benchmark files to analyse (default .)
  --ollama-url URL          Ollama backend (default http://127.0.0.1:11434, or $OLLAMA_HOST)
  --model NAME              (default gemma3:latest)
  --runs N                  repetitions (default 1)
  --output-dir DIR          a report.md and metrics.json per run (default ./chimera-runs)
  --num-gpu N --num-ctx N --temperature X --top-p X --top-k N --repeat-penalty X --num-predict N --seed N
  --connect-timeout D --headers-timeout D --idle-timeout D --call-timeout D --backend-pool-size N
)";
}

}  // namespace chimera::service
