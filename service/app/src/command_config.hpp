#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chimera/backend/backend_settings.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/run/run_request.hpp"
#include "chimera/http/http_server_limits.hpp"
#include "chimera/telemetry/log.hpp"

namespace chimera::service {

/// The model of runs, and sweep specs, that name none; every command's default.
inline constexpr std::string_view default_model = "gemma3:latest";

/// `chimera serve` settings. Parsing throws std::invalid_argument with a message
/// naming the flag at fault. Each command's flags, their --help and defaults come from one
/// table (command_config.cpp); the defaults are these members' initial values.
struct serve_config {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    /// --admin-listen: /metrics (and the health routes) there, without a token; empty host: none.
    std::string admin_host;
    std::uint16_t admin_port = 0;
    std::filesystem::path auth_token_file;  ///< empty: authentication is off
    http_server_limits http;
    backend_settings backend;  ///< --ollama-url and the settings every backend shares
    /// The backends runs go to: every --backend, or the one of --ollama-url ("default").
    std::vector<backend_settings> backends;
    std::vector<std::filesystem::path> data_roots{"."};  ///< --data-root, repeatable; tried in order
    std::filesystem::path state_dir = "chimera-state";
    /// --store: a postgresql:// URL shared by every replica; empty: the embedded SQLite store
    /// in state_dir (one process). Holds no password: that comes from store_password_file or
    /// libpq's PGPASSFILE, so it shows in neither `ps` nor the logs.
    std::string store_url;
    std::filesystem::path store_password_file;
    std::size_t store_connections = 8;  ///< PostgreSQL connections for store calls (plus one listening)
    std::size_t workers = 2;
    std::size_t queue_capacity = 1000;
    std::int64_t max_attempts = 3;
    std::chrono::milliseconds lease{30'000};
    std::chrono::milliseconds drain_timeout{25'000};
    std::string model{default_model};
    std::string preload_model;                 ///< loaded at start-up when set, so the first run starts warm
    std::vector<std::string> metrics_models;   ///< --metrics-model: `model` label values besides the backend's
    std::vector<std::string> trusted_proxies;  ///< --trusted-proxy: whose X-Forwarded-For is believed
    core::ingest_limits limits;
    log_settings log;
};

/// `chimera run` settings: the pipeline once or N times, without a server.
struct run_command_config {
    backend_settings backend;
    std::vector<backend_settings> backends;  ///< as serve_config's
    std::filesystem::path data_dir = ".";
    std::string model{default_model};
    std::size_t runs = 1;
    core::run_options options;
    std::filesystem::path output_dir = "chimera-runs";
    core::ingest_limits limits;
    log_settings log;
};

/// `chimera sweep` settings: a recorded study to recompute, or a spec to execute here.
struct sweep_command_config {
    std::filesystem::path from_recorded;  ///< empty: none
    std::filesystem::path spec_file;      ///< empty: none
    std::string format = "md";
    backend_settings backend;
    std::vector<backend_settings> backends;  ///< as serve_config's
    std::string model{default_model};        ///< when the spec names none
    std::filesystem::path output_dir = "chimera-sweep";
    core::ingest_limits limits;
    log_settings log;
};

/// `chimera probe URL`: one GET, for health checks in an image without a shell or curl.
struct probe_config {
    std::string host;
    std::string port = "80";
    std::string target = "/";  ///< the request target: path and query
    std::chrono::milliseconds timeout{2'000};
};

/// `chimera run` and `chimera sweep` stopped by SIGINT or SIGTERM: 128 + SIGINT, what a shell
/// reports for a command stopped by Ctrl-C, so a script can tell it from failed runs (1).
inline constexpr int interrupted_exit_status = 130;

[[nodiscard]] serve_config parse_serve_config(std::span<char* const> args);
[[nodiscard]] run_command_config parse_run_command_config(std::span<char* const> args);
/// Exactly one of --from-recorded and --spec.
[[nodiscard]] sweep_command_config parse_sweep_command_config(std::span<char* const> args);

/// A URL (http://host[:port][/path]) first, then flags.
[[nodiscard]] probe_config parse_probe_config(std::span<char* const> args);

[[nodiscard]] std::string serve_usage();
[[nodiscard]] std::string run_usage();
[[nodiscard]] std::string sweep_usage();
[[nodiscard]] std::string probe_usage();

}  // namespace chimera::service
