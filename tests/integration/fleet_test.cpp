// A fleet of backends (issue 18 items 1-2, proved by item 7): several simulators at once, Ollama
// and OpenAI-compatible (llama.cpp, vLLM), behind one `chimera serve` with a --backend flag each.
// Routing by model spreads 1,000 concurrent runs within every backend's max-streams; a backend
// killed mid-load loses only the calls that had streamed tokens on it; models are discovered per
// backend; a call that fails before its first token moves to another backend, and a backend that
// keeps failing so is left out; a run naming a backend runs there only.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// One simulator of the fleet and how chimera names it.
struct sim_spec {
    std::string name;
    std::string engine = "ollama";  ///< ollama, or llamacpp / vllm (then kind=openai)
    std::size_t max_streams = 0;    ///< 0: no max-streams setting
    std::vector<std::string> flags = {};
};

/// The simulator's generation requests, whatever its engine.
std::vector<json> generations(const json& stats) {
    std::vector<json> out;
    for (const auto& request : stats.at("requests")) {
        if (request.at("path") == "/api/generate" || request.at("path") == "/v1/chat/completions")
            out.push_back(request);
    }
    return out;
}

/// N simulators, each on its own ephemeral port, and one `chimera serve` that knows each as
/// `--backend NAME=URL[,kind=openai][,max-streams=N]`; ready when constructed: /readyz 200 and
/// every backend probed up with its models listed.
class fleet_stack {
public:
    explicit fleet_stack(std::vector<sim_spec> specs, const std::vector<std::string>& service_flags = {})
        : specs_(std::move(specs)) {
        std::vector<std::string> argv{test_support::chimera_binary(),
                                      "serve",
                                      "--listen",
                                      "127.0.0.1:0",
                                      "--data-root",
                                      CHIMERA_TEST_DATA_DIR,
                                      "--state-dir",
                                      state_.path().string(),
                                      "--drain-timeout",
                                      "100ms"};
        for (const auto& spec : specs_) {
            auto flags = spec.flags;
            flags.insert(flags.begin(), {"--engine", spec.engine});
            sims_.push_back(std::make_unique<child_process>(sim_argv(flags)));
            sim_ports_.push_back(read_listening_port(*sims_.back()));
            std::string flag = spec.name + "=http://127.0.0.1:" + std::to_string(sim_ports_.back());
            if (spec.engine != "ollama") flag += ",kind=openai";
            if (spec.max_streams != 0) flag += ",max-streams=" + std::to_string(spec.max_streams);
            argv.insert(argv.end(), {"--backend", flag});
        }
        argv.insert(argv.end(), service_flags.begin(), service_flags.end());
        service_ = std::make_unique<child_process>(argv, state_.path() / "service.log");
        port_ = read_listening_port(*service_);
        poll_until(
            port_, "/readyz",
            [](const http_reply& r) {
                if (r.status != 200) return false;
                const auto backends = json::parse(r.body).at("backend").at("backends");
                return std::all_of(backends.begin(), backends.end(),
                                   [](const json& b) { return b.at("up").get<bool>() && !b.at("models").empty(); });
            },
            20s);
    }

    [[nodiscard]] unsigned short port() const { return port_; }
    [[nodiscard]] const std::vector<sim_spec>& specs() const { return specs_; }
    [[nodiscard]] pid_t service_pid() const { return service_->pid(); }

    [[nodiscard]] std::size_t index_of(const std::string& name) const {
        for (std::size_t i = 0; i < specs_.size(); ++i) {
            if (specs_[i].name == name) return i;
        }
        throw std::invalid_argument("no backend " + name);
    }

    [[nodiscard]] json sim_stats(const std::string& name) const {
        return json::parse(http_request(sim_ports_[index_of(name)], "GET", "/sim/stats").body);
    }

    /// Every simulator holds its generations before their first byte (POST /sim/hold).
    void hold_generations() const {
        for (const auto port : sim_ports_) EXPECT_EQ(http_request(port, "POST", "/sim/hold").status, 200U);
    }

    /// Lets every held generation go; returns how many were held in all.
    std::size_t release_generations() const {
        std::size_t released = 0;
        for (const auto port : sim_ports_) {
            released += json::parse(http_request(port, "POST", "/sim/release").body).at("released").get<std::size_t>();
        }
        return released;
    }

    /// SIGKILL: the backend vanishes with its sockets, as a crashed engine does.
    void kill_sim(const std::string& name) {
        auto& sim = *sims_[index_of(name)];
        ::kill(sim.pid(), SIGKILL);
        EXPECT_EQ(sim.wait_for_exit(5s), 128 + SIGKILL);
    }

    [[nodiscard]] json readyz_backends() const {
        return json::parse(http_request(port_, "GET", "/readyz").body).at("backend").at("backends");
    }

    std::string submit(const json& body) const {
        const auto reply = http_request(port_, "POST", "/runs", body.dump());
        EXPECT_EQ(reply.status, 202U) << reply.body;
        return json::parse(reply.body).at("id").get<std::string>();
    }

    [[nodiscard]] json run(const std::string& id) const {
        return json::parse(http_request(port_, "GET", "/runs/" + id).body);
    }

    [[nodiscard]] json wait_finished(const std::string& id) const {
        const auto reply = poll_until(
            port_, "/runs/" + id,
            [](const http_reply& r) {
                const auto status = json::parse(r.body).value("status", "");
                return status == "succeeded" || status == "failed" || status == "cancelled";
            },
            60s);
        return json::parse(reply.body);
    }

    /// Polls /metrics until `count` runs ended; each exposition also goes to `each_poll`.
    template <typename Sample>
    void wait_runs_ended(std::size_t count, std::chrono::milliseconds deadline, Sample each_poll) const {
        poll_until(
            port_, "/metrics",
            [&](const http_reply& r) {
                each_poll(r.body);
                return metric_value(r.body, "chimera_runs_total") >= static_cast<double>(count);
            },
            deadline);
    }

private:
    temp_dir state_;
    std::vector<sim_spec> specs_;
    std::vector<std::unique_ptr<child_process>> sims_;
    std::vector<unsigned short> sim_ports_;
    std::unique_ptr<child_process> service_;
    unsigned short port_ = 0;
};

json backend_named(const json& backends, const std::string& name) {
    for (const auto& backend : backends) {
        if (backend.at("name") == name) return backend;
    }
    ADD_FAILURE() << "no backend " << name << " in " << backends.dump();
    return json::object();
}

/// Backends the run's calls ran on, in call order.
std::vector<std::string> call_backends(const json& run) {
    std::vector<std::string> out;
    for (const auto& call : run.at("calls")) out.push_back(call.at("backend").get<std::string>());
    return out;
}

// 1,000 runs at once, routed by model over 8 backends (4 Ollama, 2 llama.cpp, 2 vLLM) with
// max-streams from 2 to 6: every run succeeds, every backend gets work, and no backend ever
// carried more streams than its max-streams, as the simulators counted them and as /readyz said.
// 1,000 workers, and the simulators hold every generation until all 1,000 runs are in: every run
// is running at once, 31 of them on a stream and the rest waiting in the router for one, so the
// backends' limits are what binds, on a machine of any speed.
TEST(Fleet, AThousandConcurrentRunsSpreadOverEightBackendsWithinTheirLimits) {
    constexpr std::size_t runs = 1000;
    const auto sim = sim_flags("m1", 4, 20);  // 0.2 s a call
    const fleet_stack fleet{{{"o1", "ollama", 4, sim},
                             {"o2", "ollama", 2, sim},
                             {"o3", "ollama", 6, sim},
                             {"o4", "ollama", 3, sim},
                             {"l1", "llamacpp", 4, sim},
                             {"l2", "llamacpp", 5, sim},
                             {"v1", "vllm", 4, sim},
                             {"v2", "vllm", 3, sim}},
                            {"--workers", "1000", "--queue-capacity", "1000", "--log-level", "warn"}};
    std::size_t streams = 0;  // the fleet's max-streams added up: 31
    for (const auto& spec : fleet.specs()) streams += spec.max_streams;
    fleet.hold_generations();
    std::vector<std::string> ids(runs);
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
        clients.emplace_back([&] {
            for (auto i = next.fetch_add(1); i < runs; i = next.fetch_add(1)) {
                ids[i] = fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}});
            }
        });
    }
    for (auto& client : clients) client.join();

    // Every run in at once, and every backend's streams taken: each simulator holds max-streams
    // generations, and chimera says each backend carries that many.
    poll_until(
        fleet.port(), "/metrics",
        [&](const http_reply& r) {
            if (metric_value(r.body, "chimera_runs_running") < static_cast<double>(runs)) return false;
            return std::all_of(fleet.specs().begin(), fleet.specs().end(), [&](const sim_spec& spec) {
                return fleet.sim_stats(spec.name).at("generations_in_flight").get<std::size_t>() >= spec.max_streams;
            });
        },
        120s);
    for (const auto& backend : fleet.readyz_backends()) {
        EXPECT_EQ(backend.at("streams"), backend.at("max_streams")) << backend.dump() << ": full while held";
    }
    EXPECT_EQ(fleet.release_generations(), streams) << "one held generation per stream, none above";

    // What chimera says it carries, sampled while the runs execute.
    std::size_t samples = 0;
    fleet.wait_runs_ended(runs, 90s, [&](const std::string&) {
        ++samples;
        for (const auto& backend : fleet.readyz_backends()) {
            EXPECT_LE(backend.at("streams").get<std::size_t>(), backend.at("max_streams").get<std::size_t>())
                << backend.at("name");
        }
    });

    std::map<std::string, std::size_t> calls_by_backend;
    std::size_t failed = 0;
    for (const auto& id : ids) {
        const auto run = fleet.run(id);
        if (run.at("status") != "succeeded") {
            if (++failed <= 3) ADD_FAILURE() << run.dump();
            continue;
        }
        const auto where = call_backends(run);
        ASSERT_EQ(where.size(), 2U) << run.dump();
        EXPECT_EQ(where[0], where[1]) << "one stream per run, both calls on it";
        for (const auto& name : where) ++calls_by_backend[name];
    }
    EXPECT_EQ(failed, 0U);

    std::string figures;
    for (const auto& spec : fleet.specs()) {
        const auto stats = fleet.sim_stats(spec.name);
        const auto peak = stats.at("peak_generations_in_flight").get<std::size_t>();
        const auto served = generations(stats).size();
        figures += " " + spec.name + ": max " + std::to_string(spec.max_streams) + ", peak " + std::to_string(peak) +
                   ", calls " + std::to_string(served) + ";";
        EXPECT_LE(peak, spec.max_streams) << spec.name << ": more generations at once than its max-streams";
        EXPECT_GT(served, 0U) << spec.name << " got no work";
        EXPECT_EQ(served, calls_by_backend[spec.name]) << spec.name << ": the simulator and the run documents agree";
        EXPECT_EQ(stats.at("generations_in_flight"), 0);
    }
    std::printf("fleet of 8, %zu runs all running at once (%zu /readyz samples after the release):%s\n", runs, samples,
                figures.c_str());
    // Every backend gets work in proportion to what it can carry (31 streams in all): none idles
    // while runs wait.
    for (const auto& spec : fleet.specs()) {
        EXPECT_GE(calls_by_backend[spec.name], 2 * runs * spec.max_streams / (streams * 2))
            << spec.name << " got less than half its share";
    }
}

// A backend killed (SIGKILL) while runs stream on it: the calls that had streamed tokens there
// fail (never retried after tokens), every other run - those that had not reached it, those
// between calls on it, those routed to it before the service knew - finishes elsewhere; the
// service stays up and /readyz shows the backend down.
TEST(Fleet, ABackendKilledMidLoadLosesOnlyTheCallsThatHadStreamedTokensOnIt) {
    constexpr int runs = 48;
    const auto slow = sim_flags("m1", 30, 100);  // 300 ms a call: the kill lands mid-stream
    fleet_stack fleet{
        {{"victim", "ollama", 4, slow}, {"a", "ollama", 4, slow}, {"b", "llamacpp", 4, slow}, {"c", "vllm", 4, slow}},
        {"--workers", "48", "--log-level", "warn"}};
    std::vector<std::string> ids;
    for (int i = 0; i < runs; ++i) ids.push_back(fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}}));
    // Kill once the victim streams tokens on two calls or more, each less than half way through its
    // 30 tokens (150 ms to go at least), and has completed some.
    poll_until(
        fleet.port(), "/healthz",
        [&](const http_reply&) {
            const auto requests = generations(fleet.sim_stats("victim"));
            const auto streaming = std::count_if(requests.begin(), requests.end(), [](const json& r) {
                const auto tokens = r.at("eval_count").get<int>();
                return tokens > 0 && tokens < 15 && !r.at("completed").get<bool>();
            });
            const auto completed = std::count_if(requests.begin(), requests.end(),
                                                 [](const json& r) { return r.at("completed").get<bool>(); });
            return streaming >= 2 && completed >= 1;
        },
        30s);
    fleet.kill_sim("victim");
    // Runs submitted after the kill: routed before the service knows, they must fail over.
    for (int i = 0; i < 8; ++i) ids.push_back(fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}}));

    std::size_t failed = 0;
    std::size_t failed_over = 0;
    for (const auto& id : ids) {
        const auto run = fleet.wait_finished(id);
        // Tokens streamed on the victim by a call that did not complete there.
        bool lost_on_victim = false;
        for (const auto& call : run.at("calls")) {
            if (call.at("backend") == "victim" && call.at("outcome") != "ok") {
                EXPECT_GT(call.at("tokens_generated").get<int>(), 0)
                    << "a call that failed before its first token moves to another backend: " << run.dump();
                EXPECT_EQ(call.at("attempts"), 1) << "never a retry after tokens streamed: " << run.dump();
                lost_on_victim = true;
            }
            for (const auto& error : call.at("attempt_errors")) {
                const auto text = error.get<std::string>();
                if (text.rfind("victim: ", 0) != 0) continue;
                ++failed_over;
                // Moved only when nothing had come back: the connection refused, or closed unanswered.
                EXPECT_TRUE(text.find("cannot connect") != std::string::npos ||
                            text.find("closed the connection before answering") != std::string::npos)
                    << text;
            }
        }
        if (run.at("status") == "failed") {
            ++failed;
            EXPECT_TRUE(lost_on_victim) << "only runs streaming on the victim fail: " << run.dump();
            EXPECT_EQ(run.at("error").at("type"), "stream_truncated") << run.dump();
        } else {
            EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
            EXPECT_FALSE(lost_on_victim) << run.dump();
            for (const auto& call : run.at("calls")) EXPECT_EQ(call.at("outcome"), "ok") << run.dump();
        }
    }
    std::printf("victim killed: %zu of %zu runs failed, %zu calls failed over from it\n", failed, ids.size(),
                failed_over);
    EXPECT_GE(failed, 2U) << "the kill landed on streaming calls";
    EXPECT_LE(failed, 4U) << "at most one run per stream the victim could carry";
    EXPECT_EQ(http_request(fleet.port(), "GET", "/healthz").status, 200U);
    const auto ready = poll_until(
        fleet.port(), "/readyz",
        [](const http_reply& r) {
            return !backend_named(json::parse(r.body).at("backend").at("backends"), "victim").at("up").get<bool>();
        },
        20s);
    EXPECT_EQ(ready.status, 200U) << "the service is ready with three backends of four";
    const auto backends = json::parse(ready.body).at("backend").at("backends");
    for (const std::string name : {"a", "b", "c"}) EXPECT_TRUE(backend_named(backends, name).at("up")) << name;
    EXPECT_EQ(backend_named(backends, "victim").at("streams"), 0) << "every stream on it was given back";
}

// Each backend's models come from its own list (/api/tags, /v1/models): a run for a model goes
// only to the backends listing it, and a model nobody lists fails naming every backend's state.
TEST(Fleet, ModelsAreDiscoveredPerBackendAndRunsGoWhereTheirModelIsListed) {
    const fleet_stack fleet{{{"alpha-host", "ollama", 0, sim_flags("alpha", 4, 2000)},
                             {"beta-host", "vllm", 0, sim_flags("beta,beta-small", 4, 2000)}}};
    const auto backends = fleet.readyz_backends();
    EXPECT_EQ(backend_named(backends, "alpha-host").at("models"), json::array({"alpha:latest"}));
    EXPECT_EQ(backend_named(backends, "beta-host").at("models"), json::array({"beta", "beta-small"}));
    EXPECT_EQ(backend_named(backends, "beta-host").at("kind"), "openai");

    std::vector<std::string> alpha_runs;
    std::vector<std::string> beta_runs;
    for (int i = 0; i < 3; ++i) {
        alpha_runs.push_back(fleet.submit({{"data_dir", "tiny"}, {"model", "alpha"}}));
        beta_runs.push_back(fleet.submit({{"data_dir", "tiny"}, {"model", "beta"}}));
    }
    for (const auto& id : alpha_runs) {
        const auto run = fleet.wait_finished(id);
        EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
        EXPECT_EQ(call_backends(run), (std::vector<std::string>{"alpha-host", "alpha-host"}));
    }
    for (const auto& id : beta_runs) {
        const auto run = fleet.wait_finished(id);
        EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
        EXPECT_EQ(call_backends(run), (std::vector<std::string>{"beta-host", "beta-host"}));
    }
    const auto alpha_calls = generations(fleet.sim_stats("alpha-host"));
    const auto beta_calls = generations(fleet.sim_stats("beta-host"));
    EXPECT_EQ(alpha_calls.size(), 6U);
    EXPECT_EQ(beta_calls.size(), 6U);
    for (const auto& call : alpha_calls) EXPECT_EQ(call.at("model"), "alpha");
    for (const auto& call : beta_calls) EXPECT_EQ(call.at("model"), "beta");

    const auto nobody = fleet.wait_finished(fleet.submit({{"data_dir", "tiny"}, {"model", "gamma"}}));
    expect_failed(nobody, "backend_unavailable",
                  "no healthy backend lists model 'gamma'; alpha-host: lists alpha:latest; beta-host: lists beta, "
                  "beta-small");
    EXPECT_TRUE(nobody.at("calls").empty()) << "no backend was called";
    EXPECT_EQ(generations(fleet.sim_stats("alpha-host")).size(), 6U);
    EXPECT_EQ(generations(fleet.sim_stats("beta-host")).size(), 6U);
}

// A backend that answers every call 503 (its probe answers: it looks healthy): each call fails
// there before its first token and moves to the other backend, which serves it; the call record
// says where it ran and names the failed backend in attempt_errors. After three such failures
// in a row the backend is left out of routing, and calls go straight to the other.
TEST(Fleet, ACallFailingBeforeItsFirstTokenMovesToAnotherBackendAndThreeMarkItDown) {
    auto busy_flags = sim_flags("m1", 4, 2000);
    busy_flags.insert(busy_flags.end(), {"--fault-status", "503"});
    // `busy` comes first: routing ties go to the backend chosen least recently, so the first run
    // goes there, and each next one too while the failover moves the choice to `good`.
    const fleet_stack fleet{{{"busy", "ollama", 0, busy_flags}, {"good", "llamacpp", 0, sim_flags("m1", 4, 2000)}}};
    for (int i = 1; i <= 3; ++i) {
        const auto run = fleet.wait_finished(fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}}));
        ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
        EXPECT_EQ(call_backends(run), (std::vector<std::string>{"good", "good"})) << run.dump();
        const auto& first = run.at("calls")[0];
        EXPECT_EQ(first.at("attempts"), 2) << first.dump();
        ASSERT_EQ(first.at("attempt_errors").size(), 1U) << first.dump();
        const auto error = first.at("attempt_errors")[0].get<std::string>();
        EXPECT_EQ(error.rfind("busy: ", 0), 0U) << error;
        EXPECT_NE(error.find("503"), std::string::npos) << error;
        EXPECT_TRUE(run.at("calls")[1].at("attempt_errors").empty()) << "the report call stays where it moved";
        EXPECT_EQ(generations(fleet.sim_stats("busy")).size(), static_cast<std::size_t>(i));
    }
    // Marked down: left out of routing (for 10 s), though its probe still answers.
    for (int i = 0; i < 3; ++i) {
        const auto run = fleet.wait_finished(fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}}));
        ASSERT_EQ(run.at("status"), "succeeded") << run.dump();
        EXPECT_EQ(call_backends(run), (std::vector<std::string>{"good", "good"})) << run.dump();
        EXPECT_TRUE(run.at("calls")[0].at("attempt_errors").empty()) << run.dump();
    }
    EXPECT_EQ(generations(fleet.sim_stats("busy")).size(), 3U) << "no call reached the backend left out";
    EXPECT_TRUE(backend_named(fleet.readyz_backends(), "busy").at("up")) << "its probe still answers";
    EXPECT_EQ(generations(fleet.sim_stats("good")).size(), 12U);
}

// A run naming a backend runs there and nowhere else; a name the service does not have is a 400.
TEST(Fleet, ARunNamingABackendRunsOnlyThereAndAnUnknownNameIsRefused) {
    const auto sim = sim_flags("m1", 4, 2000);
    const fleet_stack fleet{{{"b1", "ollama", 0, sim}, {"b2", "llamacpp", 0, sim}, {"b3", "vllm", 2, sim}}};
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(fleet.submit({{"data_dir", "tiny"}, {"model", "m1"}, {"backend", "b3"}}));
    for (const auto& id : ids) {
        const auto run = fleet.wait_finished(id);
        EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
        EXPECT_EQ(run.at("backend"), "b3");
        EXPECT_EQ(call_backends(run), (std::vector<std::string>{"b3", "b3"}));
    }
    EXPECT_EQ(generations(fleet.sim_stats("b3")).size(), 8U);
    EXPECT_LE(fleet.sim_stats("b3").at("peak_generations_in_flight").get<int>(), 2) << "its max-streams";
    EXPECT_TRUE(generations(fleet.sim_stats("b1")).empty());
    EXPECT_TRUE(generations(fleet.sim_stats("b2")).empty());

    const json body = {{"data_dir", "tiny"}, {"model", "m1"}, {"backend", "b9"}};
    const auto reply = http_request(fleet.port(), "POST", "/runs", body.dump());
    EXPECT_EQ(reply.status, 400U) << reply.body;
    const auto problem = json::parse(reply.body);
    EXPECT_EQ(problem.at("field"), "backend");
    EXPECT_NE(problem.at("detail").get<std::string>().find("no backend is named 'b9': this service has b1, b2, b3"),
              std::string::npos)
        << reply.body;
}

}  // namespace
}  // namespace chimera::testing
