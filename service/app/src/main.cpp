#include <algorithm>
#include <cstdio>
#include <exception>
#include <span>
#include <string_view>

#include "chimera/telemetry/log.hpp"
#include "command_config.hpp"
#include "probe_command.hpp"
#include "run_command.hpp"
#include "serve_command.hpp"
#include "sweep_command.hpp"

namespace {

constexpr std::string_view top_usage = R"(chimera — runs LLM agent runs against Ollama and measures them

usage: chimera serve [flags]   the HTTP service (POST /runs, GET /runs/{id}, /metrics, ...)
       chimera run [flags]     the run pipeline once or --runs N times, without a server
       chimera sweep [flags]   a sweep here against Ollama (--spec FILE), or the reference study's
                               statistics (--from-recorded DIR)
       chimera probe URL       GET URL once: exit 0 on 200, else 1 (the image's health check)
       chimera <command> --help
)";

bool wants_help(std::span<char* const> args) {
    return std::any_of(args.begin(), args.end(), [](const char* arg) {
        const std::string_view a{arg};
        return a == "--help" || a == "-h";
    });
}

int dispatch(std::string_view command, std::span<char* const> args) {
    using namespace chimera::service;
    if (command == "serve") {
        if (wants_help(args)) {
            std::fputs(serve_usage().c_str(), stdout);
            return 0;
        }
        return run_serve(parse_serve_config(args));
    }
    if (command == "run") {
        if (wants_help(args)) {
            std::fputs(run_usage().c_str(), stdout);
            return 0;
        }
        return run_once(parse_run_command_config(args));
    }
    if (command == "sweep") {
        if (wants_help(args)) {
            std::fputs(sweep_usage().c_str(), stdout);
            return 0;
        }
        return run_sweep_command(args);
    }
    if (command == "probe") {
        if (wants_help(args)) {
            std::fputs(probe_usage().c_str(), stdout);
            return 0;
        }
        return run_probe(parse_probe_config(args));
    }
    std::fputs(top_usage.data(), command == "--help" || command == "-h" ? stdout : stderr);
    return command == "--help" || command == "-h" ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::span<char* const> all{argv, static_cast<std::size_t>(argc)};
    if (all.size() < 2) {
        std::fputs(top_usage.data(), stderr);
        return 2;
    }
    // Logs go to stderr so stdout carries only results (the bound address, tables). JSON lines
    // until a command's --log-format/--log-level say otherwise. A usage text logs nothing.
    if (!wants_help(all.subspan(1))) chimera::service::configure_logging({});
    try {
        return dispatch(all[1], all.subspan(2));
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "chimera: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "chimera: %s\n", e.what());
        return 1;
    }
}
