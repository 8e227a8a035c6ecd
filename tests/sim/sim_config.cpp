#include "sim_config.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

namespace sim {
namespace {

[[noreturn]] void bad_value(std::string_view flag, std::string_view value) {
    throw std::invalid_argument("invalid value '" + std::string{value} + "' for " + std::string{flag});
}

std::uint64_t to_count(std::string_view flag, std::string_view value) {
    const auto count = parse_count(value);
    if (!count) {
        bad_value(flag, value);
    }
    return *count;
}

double to_rate(std::string_view flag, std::string_view value) {
    double rate = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(rate) || rate <= 0) {
        bad_value(flag, value);
    }
    return rate;
}

void set_listen(sim_config& config, std::string_view value) {
    const auto colon = value.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        bad_value("--listen", value);
    }
    auto host = value.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const auto port = to_count("--listen", value.substr(colon + 1));
    if (port > 65535) {
        bad_value("--listen", value);
    }
    config.host = std::string{host};
    config.port = static_cast<std::uint16_t>(port);
}

void set_models(sim_config& config, std::string_view value) {
    config.models.clear();
    while (!value.empty()) {
        const auto comma = value.find(',');
        const auto name = value.substr(0, comma);
        if (name.empty()) {
            bad_value("--models", value);
        }
        config.models.emplace_back(name);  // as given: the registry resolves it like Ollama, /v1/models lists it
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
    if (config.models.empty()) {
        bad_value("--models", value);
    }
}

using value_setter = std::function<void(sim_config&, std::string_view)>;

const std::map<std::string_view, value_setter>& value_flags() {
    static const std::map<std::string_view, value_setter> flags{
        {"--listen", set_listen},
        {"--models", set_models},
        {"--tokens-per-second",
         [](sim_config& c, std::string_view v) { c.tokens_per_second = to_rate("--tokens-per-second", v); }},
        {"--prompt-tokens-per-second",
         [](sim_config& c, std::string_view v) {
             c.prompt_tokens_per_second = to_rate("--prompt-tokens-per-second", v);
         }},
        {"--load-ms",
         [](sim_config& c, std::string_view v) {
             c.load_delay = std::chrono::milliseconds{static_cast<std::int64_t>(to_count("--load-ms", v))};
         }},
        {"--tokens",
         [](sim_config& c, std::string_view v) {
             c.tokens = to_count("--tokens", v);
             if (c.tokens == 0) {
                 bad_value("--tokens", v);
             }
         }},
        {"--fault-midstream-error-after",
         [](sim_config& c, std::string_view v) {
             c.faults.midstream_error_after = to_count("--fault-midstream-error-after", v);
         }},
        {"--fault-truncate-after",
         [](sim_config& c, std::string_view v) { c.faults.truncate_after = to_count("--fault-truncate-after", v); }},
        {"--fault-stall-after",
         [](sim_config& c, std::string_view v) { c.faults.stall_after = to_count("--fault-stall-after", v); }},
        {"--fault-stall-ms",
         [](sim_config& c, std::string_view v) {
             c.faults.stall_for = parse_stall_ms(v);
             if (!c.faults.stall_for) {
                 bad_value("--fault-stall-ms", v);
             }
         }},
        {"--fault-garbage-line-after",
         [](sim_config& c, std::string_view v) {
             c.faults.garbage_line_after = to_count("--fault-garbage-line-after", v);
         }},
        {"--fault-status",
         [](sim_config& c, std::string_view v) {
             c.faults.status = parse_status(v);
             if (!c.faults.status) {
                 bad_value("--fault-status", v);
             }
         }},
        {"--fault-busy-first",
         [](sim_config& c, std::string_view v) { c.faults.busy_first = to_count("--fault-busy-first", v); }},
        {"--engine",
         [](sim_config& c, std::string_view v) {
             const auto kind = parse_engine(v);
             if (!kind) {
                 bad_value("--engine", v);
             }
             c.engine_kind = *kind;
         }},
        {"--sse-ping-ms",
         [](sim_config& c, std::string_view v) {
             c.sse_ping = parse_stall_ms(v);
             if (!c.sse_ping || c.sse_ping->count() == 0) {
                 bad_value("--sse-ping-ms", v);
             }
         }},
        {"--api-key",
         [](sim_config& c, std::string_view v) {
             if (v.empty()) {
                 bad_value("--api-key", v);
             }
             c.api_key = std::string{v};
         }},
        {"--fault-reset-first",
         [](sim_config& c, std::string_view v) { c.faults.reset_first = to_count("--fault-reset-first", v); }},
    };
    return flags;
}

// Half a stall would silently do nothing.
void check_stall(const fault_plan& faults) {
    if (faults.stall_after.has_value() != faults.stall_for.has_value()) {
        throw std::invalid_argument("--fault-stall-after and --fault-stall-ms go together");
    }
}

}  // namespace

std::optional<sim_config> parse_command_line(std::span<char* const> args) {
    sim_config config;
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view arg{args[i]};
        if (arg == "--help" || arg == "-h") {
            return std::nullopt;
        }
        if (arg == "--fault-split-writes") {
            config.faults.split_writes = true;
            continue;
        }
        if (arg == "--fault-split-every-byte") {
            config.faults.split_every_byte = true;
            continue;
        }
        const auto eq = arg.find('=');
        const auto flag = value_flags().find(arg.substr(0, eq));
        if (flag == value_flags().end()) {
            throw std::invalid_argument("unknown flag " + std::string{arg});
        }
        if (eq == std::string_view::npos && i + 1 == args.size()) {
            throw std::invalid_argument("missing value for " + std::string{arg});
        }
        flag->second(config, eq == std::string_view::npos ? std::string_view{args[++i]} : arg.substr(eq + 1));
    }
    check_stall(config.faults);
    if (config.sse_ping && config.engine_kind != engine::llamacpp) {
        throw std::invalid_argument("--sse-ping-ms needs --engine llamacpp: only llama-server pings");
    }
    if (config.api_key && config.engine_kind == engine::ollama) {
        throw std::invalid_argument("--api-key needs --engine llamacpp or vllm: Ollama has no API key");
    }
    return config;
}

std::string_view usage() {
    return R"(usage: ollama-sim [flags]

A stand-in for Ollama's HTTP API (/api/generate, /api/tags, /api/ps, /api/show, /api/version, /),
or for llama.cpp's or vLLM's OpenAI-compatible API (--engine), with real-time pacing, plus GET /sim/stats, POST /sim/reset, /sim/drop-idle, /sim/hold and
/sim/release for tests.

  --listen HOST:PORT              address to bind (default 127.0.0.1:11434; port 0 = ephemeral).
                                  The first stdout line is "listening on HOST:PORT".
  --tokens-per-second N           decode rate (default 100)
  --prompt-tokens-per-second N    prompt evaluation rate (default 2000)
  --load-ms N                     load delay on a model's first (cold) use (default 0)
  --tokens N                      tokens per response (default 64); options.num_predict > 0 overrides
  --models a,b                    known models (default gemma3:latest); no tag means :latest
  --fault-midstream-error-after N after N tokens, send an {"error":...} line and end the body
  --fault-truncate-after N        after N tokens, close the socket without the chunked terminator
  --fault-split-writes            send each NDJSON object as two chunks split inside it
  --fault-split-every-byte        send each NDJSON object as one chunk per byte
  --fault-garbage-line-after N    after N tokens, send the chunk "this is not json\n", then go on
  --fault-status S                answer S (400..599) with an Ollama {"error":...} body, no generation
  --fault-stall-after N           after N tokens, pause --fault-stall-ms MS (at most 86400000) and then
  --fault-stall-ms MS             finish normally; a client that disconnects ends the pause
  --fault-busy-first K            answer the first K /api/generate requests like Ollama's full queue:
                                  503 {"error":"server busy, please try again.  maximum pending requests
                                  exceeded"}, keep-alive kept
  --fault-reset-first K           read the first K /api/generate requests, then reset the connection
                                  without sending a byte
  --engine ollama|llamacpp|vllm   the server to stand in for (default ollama). llamacpp and vllm serve
                                  GET /v1/models, POST /v1/chat/completions and POST /v1/completions
                                  (Server-Sent Events with each engine's chunk shapes, docs/simulator.md)
                                  instead of Ollama's routes, with the same pacing and --fault-* flags
  --api-key KEY                   llamacpp, vllm: calls without "Authorization: Bearer KEY" get the
                                  engine's 401 (llama-server leaves GET /v1/models open; vLLM guards
                                  all of /v1); /sim/stats counts them in "requests_unauthorized"
  --sse-ping-ms MS                llamacpp: an SSE comment ": ping" whenever a started stream was
                                  silent MS ms (a stall, a slow token)
  --help                          show this text

A request header "X-Sim-Fault: midstream-error-after=3,split-writes" (or "none") replaces the
--fault-* flags for that request. Items: midstream-error-after=N, truncate-after=N, split-writes,
split-every-byte, garbage-line-after=N, status=S, load-ms=MS (a wait before the status line on
every request, not just cold loads), tokens-per-second=N, stall-after=N:MS, busy-first=K,
reset-first=K. A model named "fault/<items>" (e.g. "fault/status=500,load-ms=100") is known and
selects <items> the same way, for clients that can't send headers; the header wins. busy-first and reset-first count /api/generate
requests globally since start or the last /sim/reset: the request with /sim/stats seq < K is hit
(busy-first only where Ollama would queue it: not 400/404 answers or unloads).

POST /sim/drop-idle closes every keep-alive connection waiting for its next (or first) request,
as a backend's idle timeout would, and answers {"dropped":N}; /sim/stats counts them in
"connections_dropped". It counts generation requests being served in "generations_in_flight"
and their most at once since start or the last /sim/reset in "peak_generations_in_flight".

POST /sim/hold makes every generation request, those already waiting for their model and those
still to come, wait before the model is ready, as in a busy engine's queue, until POST /sim/release,
which answers {"released":N} with the number that were waiting. A client that leaves stops waiting.
)";
}

}  // namespace sim
