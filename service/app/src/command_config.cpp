#include "command_config.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <variant>

#include <nlohmann/json.hpp>

#include "backend_flag.hpp"
#include "chimera/backend/backend_endpoint.hpp"
#include "chimera/core/text/text.hpp"
#include "chimera/http/trusted_proxies.hpp"
#include "flag_kinds.hpp"

namespace chimera::service {
namespace {

flag_table<backend_settings> backend_flags() {
    using settings = backend_settings;
    flag<settings> url{"ollama-url",
                       "URL",
                       "Ollama backend, named default, when no --backend is given",
                       [](settings& backend, std::string_view name, const flag_values& values) {
                           const auto endpoint = parse_backend_url(values.back());
                           if (!endpoint) {
                               throw std::invalid_argument("--" + std::string{name} +
                                                           " must look like http://host:port, not '" + values.back() +
                                                           "'");
                           }
                           backend.endpoint = *endpoint;
                       },
                       [](const settings& backend) { return "http://" + backend.endpoint.authority(); },
                       "OLLAMA_HOST"};
    return {
        std::move(url),
        count_flag("backend-pool-size", "idle keep-alive connections kept to Ollama", &settings::pool_size, 1, 1024),
        count_flag("max-call-attempts", "per LLM call, retrying connect failures, 503 and resets before any byte",
                   &settings::max_call_attempts, 1, 10),
        duration_flag("connect-timeout", "to connect to Ollama", &settings::connect_timeout),
        duration_flag("headers-timeout",
                      "to Ollama's response head, which comes with the first token: a cold\nmodel load must fit",
                      &settings::headers_timeout),
        duration_flag("idle-timeout", "the longest wait between two chunks of a response", &settings::idle_timeout),
        duration_flag("call-timeout", "a whole LLM call", &settings::call_timeout),
    };
}

flag_table<core::ingest_limits> limit_flags() {
    using limits = core::ingest_limits;
    return {
        count_flag("max-files", "benchmark files per run, more fail the run", &limits::max_files, 1, 10'000'000),
        size_flag("max-file-bytes", "a bigger file is skipped", &limits::max_file_bytes, std::uint64_t{1} << 40),
        size_flag("max-run-bytes", "bytes read per run, more fail the run", &limits::max_run_bytes,
                  std::uint64_t{1} << 44),
        count_flag("max-json-depth", "a JSON file nested deeper is skipped", &limits::max_json_depth, 1, 10'000),
        size_flag("max-csv-line-bytes", "a CSV file with a longer record is skipped", &limits::max_csv_line_bytes,
                  std::uint64_t{1} << 30),
    };
}

flag_table<log_settings> log_flags() {
    return {
        {"log-format", "FORMAT", "log lines on stderr: json (objects) or text",
         [](log_settings& log, std::string_view, const flag_values& values) {
             log.format = parse_log_format(values.back());
         },
         [](const log_settings& log) { return std::string{to_string(log.format)}; }},
        {"log-level", "LEVEL", "trace, debug, info, warn, error, critical or off",
         [](log_settings& log, std::string_view, const flag_values& values) {
             log.level = parse_log_level(values.back());
         },
         [](const log_settings& log) { return std::string{to_string(log.level)}; }},
    };
}

flag_table<http_server_limits> http_limit_flags() {
    using limits = http_server_limits;
    return {
        size_flag("max-body-bytes", "larger request bodies get 413", &limits::max_body_bytes, std::uint64_t{1} << 30),
        size_flag("max-header-bytes", "larger request headers get 431", &limits::max_header_bytes,
                  std::uint64_t{1} << 20),
        count_flag("max-header-count", "more request header fields get 431", &limits::max_header_count, 1, 10'000),
        duration_flag("header-read-timeout", "a connection must complete its request headers within D",
                      &limits::header_read_timeout),
        duration_flag("body-read-timeout", "and its body within D", &limits::body_read_timeout),
        duration_flag("keep-alive-timeout", "idle time allowed between requests of a connection",
                      &limits::keep_alive_timeout),
        count_flag("max-connections", "open client connections; more are closed at once", &limits::max_connections, 1,
                   1'000'000),
        count_flag(
            "max-connections-per-address",
            "open connections from one client address (a trusted proxy's are not\ncounted); more are closed at once",
            &limits::max_connections_per_address, 1, 1'000'000),
    };
}

std::string integer_range(std::int64_t min, std::int64_t max) {
    if (max == std::numeric_limits<std::int64_t>::max()) {
        return min == std::numeric_limits<std::int64_t>::min() ? "a 64-bit integer"
                                                               : "an integer from " + std::to_string(min) + " up";
    }
    return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

/// The Ollama options a run may set, as flags: --num-ctx for num_ctx. Checked as a POST /runs
/// body's options are, with the same messages.
flag_table<core::run_options> option_flags() {
    flag_table<core::run_options> table;
    const auto add = [&table](std::string_view option, std::string value_name, std::string range) {
        std::string name{option};
        std::replace(name.begin(), name.end(), '_', '-');
        table.push_back(
            {name, std::move(value_name), "Ollama's " + std::string{option} + " option, " + range,
             [option = std::string{option}](core::run_options& options, std::string_view, const flag_values& values) {
                 auto request = nlohmann::json{{"options", core::to_json(options)}};
                 const auto value = nlohmann::json::parse(values.back(), nullptr, false);
                 request["options"][option] = value.is_discarded() ? nlohmann::json(values.back()) : value;
                 const auto parsed = core::parse_run_request(request.dump());
                 if (const auto* error = std::get_if<core::request_error>(&parsed)) {
                     throw std::invalid_argument(error->field + ": " + error->detail);
                 }
                 options = std::get<core::run_request>(parsed).options;
             },
             nullptr});
    };
    for (const auto& option : core::integer_options) {
        add(option.name, "N", integer_range(option.min, option.max));
    }
    for (const auto& option : core::number_options) {
        add(option.name, "X",
            "a number from " + core::detail::format_number(option.min) + " to " +
                core::detail::format_number(option.max));
    }
    return table;
}

flag<serve_config> listen_flag() {
    return {"listen", "HOST:PORT", "address to serve the API on (port 0 picks one)",
            [](serve_config& config, std::string_view name, const flag_values& values) {
                std::tie(config.listen_host, config.listen_port) = parse_listen_value(name, values.back());
            },
            [](const serve_config& config) { return config.listen_host + ":" + std::to_string(config.listen_port); }};
}

flag<serve_config> admin_listen_flag() {
    return {"admin-listen", "HOST:PORT",
            "serve /metrics (and /healthz, /readyz) here, without a token, instead of on\n--listen",
            [](serve_config& config, std::string_view name, const flag_values& values) {
                std::tie(config.admin_host, config.admin_port) = parse_listen_value(name, values.back());
            },
            nullptr};
}

flag<serve_config> data_root_flag() {
    return {"data-root", "DIR",
            "runs' data_dir resolves beneath this directory; repeatable: a data_dir is\ntried beneath each root in "
            "order, the first holding it decides",
            [](serve_config& config, std::string_view, const flag_values& values) {
                config.data_roots.assign(values.begin(), values.end());
            },
            [](const serve_config& config) { return config.data_roots.front().string(); }};
}

flag<serve_config> metrics_model_flag() {
    return {"metrics-model", "NAME",
            "a model that is its own `model` label in /metrics; repeatable. Models the\nbackend lists (/api/tags) "
            "are too, up to 64; any other name counts as\n`other`, so clients cannot grow the metrics",
            [](serve_config& config, std::string_view, const flag_values& values) {
                config.metrics_models.assign(values.begin(), values.end());
            },
            nullptr};
}

flag<serve_config> trusted_proxy_flag() {
    return {"trusted-proxy", "CIDR",
            "a load balancer whose X-Forwarded-For names the client (an address or a\nnetwork such as 10.0.0.0/8); "
            "repeatable. From anyone else the header is\nignored",
            [](serve_config& config, std::string_view name, const flag_values& values) {
                try {
                    const trusted_proxies parsed{values};
                } catch (const std::invalid_argument& e) {
                    throw std::invalid_argument("--" + std::string{name} + ": " + e.what());
                }
                config.trusted_proxies.assign(values.begin(), values.end());
            },
            nullptr};
}

/// The password of a URL's user, if it has one: postgresql://user:password@host/db.
bool url_has_password(std::string_view url) {
    const auto authority_start = url.find("://");
    if (authority_start == std::string_view::npos) return false;
    auto authority = url.substr(authority_start + 3);
    authority = authority.substr(0, authority.find_first_of("/?"));
    const auto at = authority.rfind('@');
    return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
}

flag<serve_config> store_flag() {
    return {"store",
            "URL",
            "a PostgreSQL database every replica shares (postgresql://user@host:5432/db);\nwithout it runs are kept "
            "in --state-dir, for one process. The password\ncomes from --store-password-file or PGPASSFILE, never the "
            "URL",
            [](serve_config& config, std::string_view name, const flag_values& values) {
                const auto& url = values.back();
                if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
                    throw std::invalid_argument("--" + std::string{name} +
                                                " must be a postgresql:// URL (without it the store is SQLite in "
                                                "--state-dir)");
                }
                if (url_has_password(url)) {
                    throw std::invalid_argument(
                        "--" + std::string{name} +
                        " must not hold a password (it would show in ps and in logs): put it in a file given to "
                        "--store-password-file, or in PGPASSFILE");
                }
                config.store_url = url;
            },
            nullptr,
            "CHIMERA_STORE_URL"};
}

template <typename Config>
flag<Config> backend_flag() {
    return {"backend", "NAME=URL",
            "a backend to run on; repeatable. After the URL: ,kind=openai for llama.cpp,\nvLLM or SGLang "
            "(default ollama; with ,api=completions on /v1/completions), ,max-streams=N\nfor the streams it "
            "serves at once (Ollama: OLLAMA_NUM_PARALLEL), ,auth-file=FILE\nfor a bearer token",
            [](Config& config, std::string_view, const flag_values& values) {
                config.backends.clear();
                for (const auto& value : values) {
                    auto backend = parse_backend_flag(value);
                    const auto same = [&](const backend_settings& b) { return b.name == backend.name; };
                    if (std::any_of(config.backends.begin(), config.backends.end(), same)) {
                        throw std::invalid_argument("--backend: the name '" + backend.name + "' is given twice");
                    }
                    config.backends.push_back(std::move(backend));
                }
            },
            nullptr};
}

/// The flags every command shares: the backends, the ingest limits and the logs.
template <typename Config>
flag_table<Config> backend_limit_and_log_flags() {
    return joined<Config>({
        {backend_flag<Config>()},
        flags_of_member(&Config::backend, backend_flags()),
        flags_of_member(&Config::limits, limit_flags()),
        flags_of_member(&Config::log, log_flags()),
    });
}

flag_table<serve_config> serve_flags() {
    using config = serve_config;
    return joined<config>({
        {listen_flag(), admin_listen_flag(),
         text_flag("auth-token-file", "FILE",
                   "bearer tokens, one a line (# comments); every route but /healthz, /readyz\nneeds one. Without "
                   "it the API is open to anyone who can connect",
                   &config::auth_token_file)},
        flags_of_member(&config::http, http_limit_flags()),
        {data_root_flag(),
         text_flag("state-dir", "DIR",
                   "the durable run store (runs.db) and reports live here; one process\nper directory",
                   &config::state_dir),
         store_flag(),
         text_flag("store-password-file", "FILE", "the --store database's password, on the file's first line",
                   &config::store_password_file),
         count_flag("store-connections", "connections to the --store database for its calls (one more listens)",
                    &config::store_connections, 1, 256),
         count_flag("workers", "runs executed at once", &config::workers, 1, 1024),
         count_flag("queue-capacity", "runs waiting beyond which POST /runs answers 429", &config::queue_capacity, 1,
                    1'000'000),
         count_flag("max-attempts",
                    "executions of a run that stopped without handing it back (a crash, a lost\nlease), then it fails; "
                    "a drain's hand-back does not count",
                    &config::max_attempts, 1, 100),
         duration_flag("lease", "a running run's claim, renewed every third of it", &config::lease),
         duration_flag("drain-timeout",
                       "on SIGTERM/SIGINT, how long running runs may finish before they are\nhanded back to the queue",
                       &config::drain_timeout),
         text_flag("model", "NAME", "model of runs that name none", &config::model),
         text_flag("preload-model", "NAME",
                   "ask Ollama to load NAME at start-up, so the first run doesn't pay the cold\nload",
                   &config::preload_model),
         metrics_model_flag(), trusted_proxy_flag()},
        backend_limit_and_log_flags<config>(),
    });
}

flag_table<run_command_config> run_flags() {
    using config = run_command_config;
    return joined<config>({
        {text_flag("data-dir", "DIR", "benchmark files to analyse", &config::data_dir),
         text_flag("model", "NAME", "the model to run", &config::model),
         count_flag("runs", "repetitions", &config::runs, 1, 10'000),
         text_flag("output-dir", "DIR", "run_<n>/ per run: report.md, agent_report.md, metrics.json, run.json",
                   &config::output_dir)},
        flags_of_member(&config::options, option_flags()),
        backend_limit_and_log_flags<config>(),
    });
}

flag_table<sweep_command_config> sweep_flags() {
    using config = sweep_command_config;
    return joined<config>({
        {text_flag("spec", "FILE", "a POST /sweeps body to execute here", &config::spec_file),
         text_flag("from-recorded", "DIR", "a recorded reference sweep to recompute", &config::from_recorded),
         text_flag("format", "FORMAT", "md, csv, json or html: what is printed", &config::format),
         text_flag("model", "NAME", "when the spec names none", &config::model),
         text_flag("output-dir", "DIR", "where --spec writes its runs and report", &config::output_dir)},
        backend_limit_and_log_flags<config>(),
    });
}

flag_table<probe_config> probe_flags() {
    return {duration_flag("timeout", "for the whole exchange: connect, request, status line", &probe_config::timeout)};
}

/// http://host[:port][/target]; the port defaults to 80 and the target to "/".
void set_probe_url(probe_config& config, std::string_view url) {
    constexpr std::string_view scheme = "http://";
    const auto invalid = [&] {
        return std::invalid_argument("probe needs a URL like http://127.0.0.1:8080/healthz, not '" + std::string{url} +
                                     "'");
    };
    if (!url.starts_with(scheme)) throw invalid();
    auto rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    const auto split = split_host_port(rest.substr(0, slash));
    if (!split || split->first.empty() || (!split->second.empty() && !valid_port(split->second))) throw invalid();
    config.host = split->first;
    if (!split->second.empty()) config.port = split->second;
    if (slash != std::string_view::npos) config.target = std::string{rest.substr(slash)};
}

/// The flags applied, and the backends completed with the settings they share.
template <typename Config>
Config parsed(const flag_table<Config>& table, std::span<char* const> args) {
    Config config;
    apply_flags(table, args, config);
    config.backends = fleet_settings(config.backend, config.backends);
    return config;
}

}  // namespace

serve_config parse_serve_config(std::span<char* const> args) { return parsed(serve_flags(), args); }

run_command_config parse_run_command_config(std::span<char* const> args) { return parsed(run_flags(), args); }

sweep_command_config parse_sweep_command_config(std::span<char* const> args) {
    auto config = parsed(sweep_flags(), args);
    if (config.from_recorded.empty() == config.spec_file.empty()) {
        throw std::invalid_argument("sweep needs either --spec FILE or --from-recorded DIR (see chimera sweep --help)");
    }
    return config;
}

probe_config parse_probe_config(std::span<char* const> args) {
    if (args.empty() || std::string_view{args.front()}.starts_with("--")) {
        throw std::invalid_argument("probe needs a URL (see chimera probe --help)");
    }
    probe_config config;
    set_probe_url(config, args.front());
    apply_flags(probe_flags(), args.subspan(1), config);
    return config;
}

std::string serve_usage() {
    const serve_config defaults;
    return "usage: chimera serve [flags]\n" + flag_usage(serve_flags(), defaults);
}

std::string run_usage() {
    const run_command_config defaults;
    return "usage: chimera run [flags]\n" + flag_usage(run_flags(), defaults);
}

std::string sweep_usage() {
    const sweep_command_config defaults;
    return R"(usage: chimera sweep --spec FILE [flags]
       chimera sweep --from-recorded DIR [--format md|csv|json|html]

--spec FILE executes a sweep here, against Ollama, without a server: FILE holds a POST /sweeps
body (docs/sweeps.md); its baseline.backend and grid.backend name --backend flags, so one sweep can
compare engines. Its runs execute one at a time in the fair order of the service's sweeps,
each writing <output-dir>/<n>_<config>/; then the report is printed and written to
<output-dir>/sweep_report.{md,csv,json,html} (the HTML page is rewritten after every run while
the sweep goes on). Progress goes to stderr: one line redrawn in place on a terminal, one line per
run otherwise. Exit status 0 when every run succeeded, else 1; Ctrl-C (SIGINT) or SIGTERM stops
the run in flight, writes the reports of what ran and exits with 130.

--from-recorded DIR recomputes the statistics of a sweep the reference agents recorded (the seed
report's study) from its per-config metrics.json files, found recursively under DIR, and prints
the report: per-config throughput and TTFT, deltas vs baseline, Welch p, Cohen's d, ranking.

)" + flag_usage(sweep_flags(), defaults);
}

std::string probe_usage() {
    const probe_config defaults;
    return R"(usage: chimera probe URL [flags]

GETs URL (http://host[:port][/path]) once and prints one line saying what happened. Exit status 0
when the answer is 200, else 1 (refused, timed out, another status): the image's health check,
which has no shell or curl to run, e.g. chimera probe http://127.0.0.1:8080/healthz

)" + flag_usage(probe_flags(), defaults);
}

}  // namespace chimera::service
