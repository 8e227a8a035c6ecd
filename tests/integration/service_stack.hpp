#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace chimera::testing {

using test_support::read_text;
using test_support::temp_dir;

/// An ollama-sim and a `chimera serve` wired to it, both on ephemeral loopback
/// ports; ready (GET /readyz 200) when constructed. The service's stderr (its log)
/// goes to `service_stderr` when given. The service knows the simulator as Ollama
/// (`--ollama-url`), or, given `openai_backend`, as the OpenAI-compatible backend of that name
/// (`--backend NAME=URL,kind=openai`; the simulator's flags then say which `--engine`).
struct service_stack {
    temp_dir state;
    child_process sim;
    unsigned short sim_port;
    child_process service;
    unsigned short port;

    explicit service_stack(const std::vector<std::string>& sim_flags,
                           const std::vector<std::string>& service_flags = {},
                           const std::filesystem::path& service_stderr = {},
                           const std::string& openai_backend = {});

    /// POST /runs, expecting 202; returns the run id.
    std::string submit(const nlohmann::json& body) const;

    /// Polls GET /runs/{id} until the run ended; returns its document.
    [[nodiscard]] nlohmann::json wait_finished(const std::string& id) const;

    [[nodiscard]] nlohmann::json sim_stats() const;
    [[nodiscard]] std::string metrics() const;
};

/// The run failed with error `type` and a detail that contains `detail_part`.
void expect_failed(const nlohmann::json& run, const std::string& type, const std::string& detail_part);

/// Whether two ended runs' executions (their documents' started_at .. finished_at) overlap in time.
[[nodiscard]] bool runs_overlap(const nlohmann::json& a, const nlohmann::json& b);

/// The simulator's /api/generate requests, in arrival order.
std::vector<nlohmann::json> generate_requests(const nlohmann::json& stats);

/// The simulator's requests to `path` (e.g. /v1/chat/completions), in arrival order.
std::vector<nlohmann::json> requests_to(const nlohmann::json& stats, const std::string& path);

/// ollama-sim's flags for serving `models` (comma-separated): `tokens` a call at `tokens_per_second`,
/// with prompts evaluated at once (the tests time decoding, not evaluation).
std::vector<std::string> sim_flags(const std::string& models, int tokens, int tokens_per_second);

/// The same for `engine` (ollama, llamacpp, vllm) serving the model m1.
std::vector<std::string> engine_sim_flags(const std::string& engine, int tokens, int tokens_per_second);

/// The command line of an ollama-sim on an ephemeral loopback port with `flags`.
std::vector<std::string> sim_argv(const std::vector<std::string>& flags);

/// The flag that names the simulator on `port` as the OpenAI-compatible backend `name`; settings
/// after a comma in `name` (`vllm,api=completions`) follow the URL.
std::string openai_backend_flag(const std::string& name, unsigned short port);

/// Sum over all label sets of a sample in a Prometheus exposition (`name` or `name_count`…).
double metric_value(const std::string& exposition, const std::string& sample_name);

/// Sum over the label sets of `sample_name` that contain every one of `labels`, each as printed
/// (`outcome="ok"`), in any order.
double metric_value(const std::string& exposition,
                    const std::string& sample_name,
                    const std::vector<std::string>& labels);

}  // namespace chimera::testing
