#include "command_config.hpp"

#include <stdlib.h>

#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using testing::IsSubstring;

serve_config serve(std::vector<std::string> args) { return parse_serve_config(test::argv_of(args)); }

run_command_config run(std::vector<std::string> args) { return parse_run_command_config(test::argv_of(args)); }

std::string serve_error(std::vector<std::string> args) {
    return test::invalid_argument_of([&] { (void)serve(std::move(args)); });
}

sweep_command_config sweep(std::vector<std::string> args) { return parse_sweep_command_config(test::argv_of(args)); }

std::string sweep_error(std::vector<std::string> args) {
    return test::invalid_argument_of([&] { (void)sweep(std::move(args)); });
}

std::string run_error(std::vector<std::string> args) {
    return test::invalid_argument_of([&] { (void)run(std::move(args)); });
}

/// Both parsers read OLLAMA_HOST: every test starts without it, whatever the
/// environment of the test run, and leaves it as it found it.
class command_config : public testing::Test {
protected:
    void SetUp() override {
        if (const char* value = ::getenv("OLLAMA_HOST")) {
            saved_ = value;
        }
        ::unsetenv("OLLAMA_HOST");
    }
    void TearDown() override {
        if (saved_) {
            ::setenv("OLLAMA_HOST", saved_->c_str(), 1);
        } else {
            ::unsetenv("OLLAMA_HOST");
        }
    }

private:
    std::optional<std::string> saved_;
};

TEST_F(command_config, serve_defaults) {
    const auto config = serve({});
    EXPECT_EQ(config.listen_host, "127.0.0.1");
    EXPECT_EQ(config.listen_port, 8080);
    EXPECT_EQ(config.backend.endpoint.authority(), "127.0.0.1:11434");
    EXPECT_EQ(config.backend.pool_size, 8u);
    EXPECT_EQ(config.backend.connect_timeout, 5s);
    EXPECT_EQ(config.backend.headers_timeout, 10min);
    EXPECT_EQ(config.backend.idle_timeout, 2min);
    EXPECT_EQ(config.backend.call_timeout, 30min);
    EXPECT_EQ(config.data_roots, std::vector<std::filesystem::path>{"."});
    EXPECT_EQ(config.state_dir, "chimera-state");
    EXPECT_EQ(config.workers, 2u);
    EXPECT_EQ(config.queue_capacity, 1000u);
    EXPECT_EQ(config.model, "gemma3:latest");
}

TEST_F(command_config, serve_reads_both_flag_forms) {
    const auto config =
        serve({"--listen=0.0.0.0:9000", "--workers", "4", "--ollama-url", "http://gpu:1234", "--call-timeout=90s",
               "--idle-timeout", "500ms", "--backend-pool-size=3", "--data-root", "/srv/data",
               "--state-dir=/var/lib/chimera", "--queue-capacity", "5", "--model", "llama3:8b"});
    EXPECT_EQ(config.listen_host, "0.0.0.0");
    EXPECT_EQ(config.listen_port, 9000);
    EXPECT_EQ(config.workers, 4u);
    EXPECT_EQ(config.backend.endpoint.authority(), "gpu:1234");
    EXPECT_EQ(config.backend.call_timeout, 90s);
    EXPECT_EQ(config.backend.idle_timeout, 500ms);
    EXPECT_EQ(config.backend.pool_size, 3u);
    EXPECT_EQ(config.data_roots, std::vector<std::filesystem::path>{"/srv/data"});
    EXPECT_EQ(config.state_dir, "/var/lib/chimera");
    EXPECT_EQ(config.queue_capacity, 5u);
    EXPECT_EQ(config.model, "llama3:8b");
}

TEST_F(command_config, log_flags_default_to_json_at_info_and_are_read_by_both_commands) {
    EXPECT_EQ(serve({}).log.format, log_format::json);
    EXPECT_EQ(serve({}).log.level, log_level::info);
    const auto config = serve({"--log-format", "text", "--log-level=warn"});
    EXPECT_EQ(config.log.format, log_format::text);
    EXPECT_EQ(config.log.level, log_level::warn);
    EXPECT_EQ(run({"--log-level", "debug"}).log.level, log_level::debug);
    EXPECT_PRED_FORMAT2(IsSubstring, "--log-format", serve_error({"--log-format", "yaml"}));
}

TEST_F(command_config, http_limits_have_safe_defaults_and_flags) {
    const auto defaults = serve({});
    EXPECT_EQ(defaults.http.max_body_bytes, 1U << 20);
    EXPECT_EQ(defaults.http.max_header_bytes, 16U << 10);
    EXPECT_EQ(defaults.http.header_read_timeout, 10s);
    EXPECT_EQ(defaults.http.max_connections, 1024U);
    EXPECT_TRUE(defaults.auth_token_file.empty());
    EXPECT_TRUE(defaults.admin_host.empty());
    const auto config =
        serve({"--max-body-bytes", "64K", "--max-header-bytes=8K", "--max-header-count", "50", "--header-read-timeout",
               "2s", "--body-read-timeout", "1m", "--keep-alive-timeout", "5s", "--max-connections", "10",
               "--auth-token-file", "/run/secrets/tokens", "--admin-listen", "127.0.0.1:9100"});
    EXPECT_EQ(config.http.max_body_bytes, 64U << 10);
    EXPECT_EQ(config.http.max_header_bytes, 8U << 10);
    EXPECT_EQ(config.http.max_header_count, 50U);
    EXPECT_EQ(config.http.header_read_timeout, 2s);
    EXPECT_EQ(config.http.body_read_timeout, 1min);
    EXPECT_EQ(config.http.keep_alive_timeout, 5s);
    EXPECT_EQ(config.http.max_connections, 10U);
    EXPECT_EQ(config.auth_token_file, "/run/secrets/tokens");
    EXPECT_EQ(config.admin_host, "127.0.0.1");
    EXPECT_EQ(config.admin_port, 9100);
    EXPECT_PRED_FORMAT2(IsSubstring, "--admin-listen", serve_error({"--admin-listen", "9100"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-connections", serve_error({"--max-connections", "0"}));
}

TEST_F(command_config, serve_listen_port_zero_is_allowed) {
    EXPECT_EQ(serve({"--listen", "127.0.0.1:0"}).listen_port, 0);
}

TEST_F(command_config, serve_rejects_unknown_flag_naming_it) {
    EXPECT_PRED_FORMAT2(IsSubstring, "unknown flag --worker", serve_error({"--worker", "3"}));
    // A `chimera run` flag is not a `chimera serve` flag.
    EXPECT_PRED_FORMAT2(IsSubstring, "unknown flag --temperature", serve_error({"--temperature", "0.5"}));
}

TEST_F(command_config, serve_rejects_missing_value) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--model needs a value", serve_error({"--model"}));
}

TEST_F(command_config, serve_rejects_zero_workers) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--workers", serve_error({"--workers", "0"}));
}

TEST_F(command_config, serve_rejects_bad_or_zero_duration) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--connect-timeout", serve_error({"--connect-timeout", "5x"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--headers-timeout", serve_error({"--headers-timeout=0s"}));
}

TEST_F(command_config, serve_rejects_bad_listen_address) {
    for (const auto* listen : {"8080", "localhost:http", "localhost:65536", "localhost:-1"}) {
        EXPECT_PRED_FORMAT2(IsSubstring, "--listen", serve_error({"--listen", listen})) << listen;
    }
}

TEST_F(command_config, serve_rejects_bad_ollama_url) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--ollama-url", serve_error({"--ollama-url", "https://gpu:1234"}));
}

TEST_F(command_config, ollama_host_env_is_used_without_flag) {
    ::setenv("OLLAMA_HOST", "0.0.0.0:9999", 1);
    EXPECT_EQ(serve({}).backend.endpoint.authority(), "127.0.0.1:9999");
    EXPECT_EQ(run({}).backend.endpoint.authority(), "127.0.0.1:9999");
}

TEST_F(command_config, ollama_url_flag_beats_env) {
    ::setenv("OLLAMA_HOST", "env-host:9999", 1);
    EXPECT_EQ(serve({"--ollama-url", "flag-host:1111"}).backend.endpoint.authority(), "flag-host:1111");
}

TEST_F(command_config, run_defaults) {
    const auto config = run({});
    EXPECT_EQ(config.backend.endpoint.authority(), "127.0.0.1:11434");
    EXPECT_EQ(config.data_dir, ".");
    EXPECT_EQ(config.model, "gemma3:latest");
    EXPECT_EQ(config.runs, 1u);
    EXPECT_EQ(config.output_dir, "chimera-runs");
    EXPECT_EQ(core::to_json(config.options), nlohmann::json::object());
}

TEST_F(command_config, run_reads_flags) {
    const auto config = run({"--data-dir", "bench", "--runs=3", "--output-dir", "out", "--model=m"});
    EXPECT_EQ(config.data_dir, "bench");
    EXPECT_EQ(config.runs, 3u);
    EXPECT_EQ(config.output_dir, "out");
    EXPECT_EQ(config.model, "m");
}

TEST_F(command_config, run_option_flags_become_options) {
    const auto config = run({"--num-ctx", "1024", "--temperature=0.2", "--top-p", "0.9", "--top-k", "40",
                             "--repeat-penalty", "1.1", "--num-predict", "-1", "--num-gpu", "0", "--seed=-7"});
    EXPECT_EQ(config.options.num_ctx, 1024);
    EXPECT_EQ(config.options.temperature, 0.2);
    EXPECT_EQ(config.options.top_p, 0.9);
    EXPECT_EQ(config.options.top_k, 40);
    EXPECT_EQ(config.options.repeat_penalty, 1.1);
    EXPECT_EQ(config.options.num_predict, -1);
    EXPECT_EQ(config.options.num_gpu, 0);
    EXPECT_EQ(config.options.seed, -7);
}

TEST_F(command_config, run_option_flags_are_validated_like_post_runs) {
    EXPECT_PRED_FORMAT2(IsSubstring, "options.temperature", run_error({"--temperature", "9"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "options.num_ctx", run_error({"--num-ctx", "0"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "options.top_k", run_error({"--top-k", "4.5"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "options.seed", run_error({"--seed", "abc"}));
}

TEST_F(command_config, run_rejects_zero_runs_and_serve_flags) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--runs", run_error({"--runs", "0"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "unknown flag --workers", run_error({"--workers", "2"}));
}

TEST_F(command_config, data_root_is_repeatable_in_order) {
    const auto config = serve({"--data-root", "/srv/a", "--data-root=/srv/b", "--data-root", "rel"});
    EXPECT_EQ(config.data_roots, (std::vector<std::filesystem::path>{"/srv/a", "/srv/b", "rel"}));
}

TEST_F(command_config, ingest_limits_default_to_core_defaults) {
    const core::ingest_limits defaults;
    for (const auto& limits : {serve({}).limits, run({}).limits}) {
        EXPECT_EQ(limits.max_files, defaults.max_files);
        EXPECT_EQ(limits.max_file_bytes, defaults.max_file_bytes);
        EXPECT_EQ(limits.max_run_bytes, defaults.max_run_bytes);
        EXPECT_EQ(limits.max_json_depth, defaults.max_json_depth);
        EXPECT_EQ(limits.max_csv_line_bytes, defaults.max_csv_line_bytes);
    }
}

TEST_F(command_config, ingest_limit_flags_take_counts_and_sizes) {
    std::vector<std::string> flags{
        "--max-files",          "500", "--max-file-bytes=64K", "--max-run-bytes", "2GiB", "--max-json-depth", "16",
        "--max-csv-line-bytes", "4096"};
    for (const auto& limits : {serve(flags).limits, run(flags).limits}) {
        EXPECT_EQ(limits.max_files, 500U);
        EXPECT_EQ(limits.max_file_bytes, 64U * 1024);
        EXPECT_EQ(limits.max_run_bytes, std::uint64_t{2} << 30);
        EXPECT_EQ(limits.max_json_depth, 16U);
        EXPECT_EQ(limits.max_csv_line_bytes, 4096U);
    }
}

TEST_F(command_config, ingest_limit_flags_reject_zero_and_nonsense_naming_the_flag) {
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-files", serve_error({"--max-files", "0"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-file-bytes", serve_error({"--max-file-bytes", "0"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-file-bytes", run_error({"--max-file-bytes", "12Q"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-run-bytes", run_error({"--max-run-bytes", "M"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-run-bytes", serve_error({"--max-run-bytes", "99999999999999999999G"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-json-depth", run_error({"--max-json-depth", "-1"}));
    EXPECT_PRED_FORMAT2(IsSubstring, "--max-csv-line-bytes", serve_error({"--max-csv-line-bytes", "2G"}));
}

TEST_F(command_config, sweep_takes_a_spec_or_a_recording_not_both) {
    const auto live = sweep({"--spec", "grid.json", "--ollama-url", "http://gpu:11434", "--output-dir", "out"});
    EXPECT_EQ(live.spec_file, "grid.json");
    EXPECT_TRUE(live.from_recorded.empty());
    EXPECT_EQ(live.backend.endpoint.authority(), "gpu:11434");
    EXPECT_EQ(live.output_dir, "out");
    EXPECT_EQ(live.format, "md");
    EXPECT_EQ(sweep({"--from-recorded", "study", "--format", "csv"}).format, "csv");
    EXPECT_PRED_FORMAT2(IsSubstring, "either --spec FILE or --from-recorded DIR", sweep_error({}));
    EXPECT_PRED_FORMAT2(IsSubstring, "either --spec FILE or --from-recorded DIR",
                        sweep_error({"--spec", "a.json", "--from-recorded", "b"}));
}

TEST_F(command_config, help_shows_the_defaults_the_parsers_use) {
    const auto served = serve({});
    const auto usage = serve_usage();
    EXPECT_PRED_FORMAT2(IsSubstring, "runs executed at once (default " + std::to_string(served.workers) + ")", usage);
    EXPECT_PRED_FORMAT2(IsSubstring, "(default " + served.model + ")", usage);
    EXPECT_PRED_FORMAT2(IsSubstring, "(default " + std::to_string(served.http.max_connections) + ")", usage);
    EXPECT_PRED_FORMAT2(
        IsSubstring,
        "--ollama-url URL          Ollama backend, named default, when no --backend is given (default http://" +
            served.backend.endpoint.authority() + ", or $OLLAMA_HOST)",
        usage);
    const auto ran = run({});
    EXPECT_PRED_FORMAT2(IsSubstring, "repetitions (default " + std::to_string(ran.runs) + ")", run_usage());
    EXPECT_PRED_FORMAT2(IsSubstring, "--num-ctx N", run_usage());
    EXPECT_PRED_FORMAT2(IsSubstring, "--format FORMAT", sweep_usage());
}

}  // namespace
}  // namespace chimera::service
