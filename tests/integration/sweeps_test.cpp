// Sweeps end to end: POST /sweeps queues the plan's runs, which execute one at a time in
// the plan's fair order with nothing beside them; the results and reports are served once
// every run ended; DELETE cancels what is left.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/core/sweep/sweep_spec.hpp"
#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// ~50 ms per call, two calls per run: long enough that overlapping runs would show.
const std::vector<std::string> paced_sim{"--tokens", "20", "--tokens-per-second", "400"};

const json grid_sweep = {
    {"data_dir", "tiny"}, {"grid", {{"num_ctx", {256, 512}}, {"temperature", {0.6, 0.8}}}}, {"repetitions", 2}};

bool terminal(const std::string& status) {
    return status == "succeeded" || status == "failed" || status == "cancelled";
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string post_sweep(const service_stack& stack, const json& body) {
    const auto reply = http_request(stack.port, "POST", "/sweeps", body.dump());
    EXPECT_EQ(reply.status, 202U) << reply.body;
    const auto accepted = json::parse(reply.body);
    const auto id = accepted.at("id").get<std::string>();
    EXPECT_EQ(reply.headers.at("location"), "/sweeps/" + id);
    EXPECT_EQ(accepted.at("status"), "queued");
    return id;
}

json wait_sweep_finished(const service_stack& stack, const std::string& id) {
    const auto reply = poll_until(
        stack.port, "/sweeps/" + id,
        [](const http_reply& r) { return terminal(json::parse(r.body).value("status", "")); }, 60s);
    return json::parse(reply.body);
}

/// Documents of the sweep's runs (GET /runs?label=sweep:<id>, then each run).
std::vector<json> sweep_run_documents(const service_stack& stack, const std::string& id) {
    const auto page = json::parse(http_request(stack.port, "GET", "/runs?limit=500&label=sweep:" + id).body);
    std::vector<json> documents;
    for (const auto& run : page.at("runs")) {
        documents.push_back(
            json::parse(http_request(stack.port, "GET", "/runs/" + run.at("id").get<std::string>()).body));
    }
    return documents;
}

/// "2026-11-27T17:09:58.123Z" in milliseconds since the epoch.
std::int64_t epoch_ms(const json& rfc3339) {
    std::tm tm{};
    int ms = 0;
    const auto text = rfc3339.get<std::string>();
    EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                          &tm.tm_min, &tm.tm_sec, &ms),
              7)
        << text;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::vector<json> by_start(std::vector<json> runs) {
    std::sort(runs.begin(), runs.end(), [](const json& a, const json& b) {
        return a.at("started_at").get<std::string>() < b.at("started_at").get<std::string>();
    });
    return runs;
}

/// The options of each planned run, in core::expand_sweep's order.
std::vector<json> planned_options(const json& body) {
    const auto spec = std::get<core::sweep_spec>(core::parse_sweep_spec(body.dump()));
    const auto plan = core::expand_sweep(spec);
    std::vector<json> options;
    for (const auto& run : plan.runs) options.push_back(core::to_json(core::config_of(plan, run).options));
    return options;
}

TEST(Sweeps, RunOneAtATimeInPlanOrderBesideOrdinaryRunsAndServeTheirResults) {
    service_stack stack{paced_sim, {"--workers", "4"}};
    std::vector<std::string> ordinary;
    for (int i = 0; i < 3; ++i) ordinary.push_back(stack.submit({{"data_dir", "tiny"}}));
    const auto id = post_sweep(stack, grid_sweep);
    for (int i = 0; i < 3; ++i) ordinary.push_back(stack.submit({{"data_dir", "tiny"}}));

    const auto sweep = wait_sweep_finished(stack, id);
    ASSERT_EQ(sweep.at("status"), "succeeded") << sweep.dump();
    EXPECT_EQ(sweep.at("progress").at("total"), 10);
    EXPECT_EQ(sweep.at("progress").at("succeeded"), 10);
    EXPECT_EQ(sweep.at("spec"), grid_sweep);

    const auto runs = by_start(sweep_run_documents(stack, id));
    ASSERT_EQ(runs.size(), 10U);
    std::vector<json> others;
    for (const auto& run_id : ordinary) others.push_back(stack.wait_finished(run_id));
    const auto ordinary_runs = by_start(others);
    // The ordinary runs ran side by side (4 workers) while no sweep run did: the check
    // below is not passing just because everything ran serially.
    EXPECT_TRUE(runs_overlap(ordinary_runs[0], ordinary_runs[1]) || runs_overlap(ordinary_runs[3], ordinary_runs[4]));
    for (std::size_t i = 0; i < runs.size(); ++i) {
        EXPECT_EQ(runs[i].at("status"), "succeeded");
        for (std::size_t j = i + 1; j < runs.size(); ++j)
            EXPECT_FALSE(runs_overlap(runs[i], runs[j])) << i << ", " << j;
        for (const auto& other : others) EXPECT_FALSE(runs_overlap(runs[i], other)) << other.at("id");
    }

    const auto expected = planned_options(grid_sweep);
    for (std::size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].at("options"), expected[i]) << "run " << i;

    const auto& results = sweep.at("results");
    ASSERT_TRUE(results.is_object()) << sweep.dump();
    for (const auto* key : {"model", "baselines", "configs", "ranking", "across_configs", "findings"}) {
        EXPECT_TRUE(results.contains(key)) << key;
    }
    ASSERT_EQ(results.at("baselines").size(), 1U);
    EXPECT_EQ(results.at("baselines")[0].at("runs"), 2);
    ASSERT_EQ(results.at("configs").size(), 4U);
    for (const auto& config : results.at("configs")) EXPECT_EQ(config.at("runs"), 2);
}

TEST(Sweeps, ReportsAreServedInEveryFormatOnceTheSweepEnded) {
    service_stack stack{paced_sim};
    const auto id = post_sweep(stack, {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {256, 512}}}}, {"repetitions", 1}});
    wait_sweep_finished(stack, id);
    const auto base = "/sweeps/" + id + "/report";

    const auto markdown = http_request(stack.port, "GET", base);
    EXPECT_EQ(markdown.status, 200U) << markdown.body;
    EXPECT_EQ(markdown.headers.at("content-type"), "text/markdown; charset=utf-8");
    EXPECT_NE(markdown.body.find("ctx256"), std::string::npos) << markdown.body;

    const auto csv = http_request(stack.port, "GET", base + "?format=csv");
    EXPECT_EQ(csv.status, 200U);
    EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 4) << csv.body;  // header, baseline, 2 configs

    const auto report = http_request(stack.port, "GET", base + "?format=json");
    EXPECT_EQ(report.status, 200U);
    const auto results = json::parse(report.body);
    EXPECT_EQ(results.at("configs").size(), 2U);
    EXPECT_EQ(results, json::parse(http_request(stack.port, "GET", "/sweeps/" + id).body).at("results"));

    const auto html = http_request(stack.port, "GET", base + "?format=html");
    EXPECT_EQ(html.status, 200U);
    EXPECT_EQ(html.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(html.headers.at("content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'");
    EXPECT_EQ(count_of(html.body, "data-config=\"ctx256\""), count_of(html.body, "data-config=\"ctx512\""));
    EXPECT_GE(count_of(html.body, "data-config=\"ctx256\""), 3U);  // throughput, TTFT, delta
    EXPECT_EQ(html.body.find("Still running"), std::string::npos);

    EXPECT_EQ(http_request(stack.port, "GET", base + "?format=pdf").status, 400U);
    EXPECT_EQ(http_request(stack.port, "GET", "/sweeps/unknown/report").status, 404U);
}

TEST(Sweeps, TheCooldownSeparatesConsecutiveRuns) {
    service_stack stack{paced_sim};
    const auto id = post_sweep(
        stack, {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {256}}}}, {"repetitions", 1}, {"cooldown_seconds", 0.5}});
    ASSERT_EQ(wait_sweep_finished(stack, id).at("status"), "succeeded");
    const auto runs = by_start(sweep_run_documents(stack, id));
    ASSERT_EQ(runs.size(), 2U);
    EXPECT_GE(epoch_ms(runs[1].at("started_at")) - epoch_ms(runs[0].at("finished_at")), 500);
}

TEST(Sweeps, DeleteCancelsTheRemainingRunsAndFreesTheQueue) {
    // ~0.5 s per call: the sweep is still running when it is cancelled.
    service_stack stack{{"--tokens", "20", "--tokens-per-second", "40"}};
    const auto id = post_sweep(stack, {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {256, 512}}}}, {"repetitions", 3}});
    poll_until(
        stack.port, "/sweeps/" + id,
        [](const http_reply& r) { return json::parse(r.body).at("progress").at("running") == 1; }, 20s);
    EXPECT_EQ(http_request(stack.port, "GET", "/sweeps/" + id + "/report").status, 409U);
    const auto partial = http_request(stack.port, "GET", "/sweeps/" + id + "/report?format=html");
    EXPECT_EQ(partial.status, 200U);
    EXPECT_NE(partial.body.find("<strong>Still running:</strong>"), std::string::npos) << partial.body.substr(0, 2000);
    EXPECT_NE(partial.body.find("of 9 runs have finished"), std::string::npos);

    const auto cancel = http_request(stack.port, "DELETE", "/sweeps/" + id);
    EXPECT_EQ(cancel.status, 202U) << cancel.body;
    const auto sweep = wait_sweep_finished(stack, id);
    EXPECT_EQ(sweep.at("status"), "cancelled");
    const auto& progress = sweep.at("progress");
    EXPECT_EQ(progress.at("total"), 9);
    EXPECT_EQ(progress.at("queued"), 0);
    EXPECT_EQ(progress.at("running"), 0);
    EXPECT_GE(progress.at("cancelled").get<int>(), 8);
    EXPECT_EQ(http_request(stack.port, "DELETE", "/sweeps/" + id).status, 409U);
    EXPECT_EQ(http_request(stack.port, "DELETE", "/sweeps/unknown").status, 404U);

    const auto after = stack.submit({{"data_dir", "tiny"}});
    EXPECT_EQ(stack.wait_finished(after).at("status"), "succeeded");
}

TEST(Sweeps, ListIsNewestFirstAndBadRequestsNameTheirField) {
    service_stack stack{paced_sim, {"--queue-capacity", "20"}};
    const auto first = post_sweep(stack, {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {256}}}}, {"repetitions", 1}});
    const auto second = post_sweep(stack, {{"data_dir", "tiny"}, {"grid", {{"num_ctx", {512}}}}, {"repetitions", 1}});
    const auto page = json::parse(http_request(stack.port, "GET", "/sweeps?limit=1").body);
    ASSERT_EQ(page.at("sweeps").size(), 1U);
    EXPECT_EQ(page.at("sweeps")[0].at("id"), second);
    const auto next = json::parse(
        http_request(stack.port, "GET", "/sweeps?limit=1&cursor=" + page.at("next_cursor").get<std::string>()).body);
    EXPECT_EQ(next.at("sweeps")[0].at("id"), first);
    EXPECT_EQ(http_request(stack.port, "GET", "/sweeps?colour=red").status, 400U);
    EXPECT_EQ(http_request(stack.port, "GET", "/sweeps/unknown").status, 404U);

    const auto field_of = [&](const json& body) {
        const auto reply = http_request(stack.port, "POST", "/sweeps", body.dump());
        return std::to_string(reply.status) + " " + json::parse(reply.body).value("field", "");
    };
    EXPECT_EQ(field_of({{"grid", {{"num_ctx", {256, 256}}}}}), "400 grid.num_ctx[1]");
    EXPECT_EQ(field_of({{"grid", {{"num_ctx", {256}}}}, {"data_dir", "../etc"}}), "403 data_dir");
    // 6 configs + baseline, 3 times: 21 runs never fit a queue of 20.
    EXPECT_EQ(field_of({{"grid", {{"num_ctx", {1, 2, 3, 4, 5, 6}}}}}), "400 grid");
}

/// Everything a program prints on stdout until it exits.
std::string read_all(child_process& process) {
    std::string out;
    for (;;) {
        try {
            out += process.read_line(60s) + "\n";
        } catch (const std::runtime_error& end) {
            if (std::string{end.what()}.find("closed its stdout") == std::string::npos) throw;
            return out;
        }
    }
}

TEST(Sweeps, ChimeraSweepExecutesTheSamePlanLocallyAgainstOllama) {
    child_process sim{{CHIMERA_SIM_BIN, "--listen", "127.0.0.1:0", "--tokens", "5", "--tokens-per-second", "5000"}};
    const auto sim_port = read_listening_port(sim);
    temp_dir work;
    const json body = {{"data_dir", std::string{CHIMERA_TEST_DATA_DIR} + "/tiny"},
                       {"grid", {{"num_ctx", {256, 512}}}},
                       {"repetitions", 2}};
    std::ofstream{work.path() / "spec.json"} << body.dump();
    const auto out = work.path() / "out";
    const auto progress_file = work.path() / "stderr.txt";
    child_process sweep{{test_support::chimera_binary(), "sweep", "--spec", (work.path() / "spec.json").string(),
                         "--ollama-url", "http://127.0.0.1:" + std::to_string(sim_port), "--output-dir", out.string(),
                         "--format", "json", "--log-level", "warn"},
                        progress_file};
    const auto results = json::parse(read_all(sweep));
    EXPECT_EQ(sweep.terminate(), 0);

    EXPECT_EQ(results.at("baselines")[0].at("runs"), 2);
    ASSERT_EQ(results.at("configs").size(), 2U);
    for (const auto& config : results.at("configs")) EXPECT_EQ(config.at("runs"), 2);
    const auto stats = json::parse(http_request(sim_port, "GET", "/sim/stats").body);
    EXPECT_EQ(generate_requests(stats).size(), 12U);  // 6 runs, 2 calls each

    const auto spec = std::get<core::sweep_spec>(core::parse_sweep_spec(body.dump()));
    const auto plan = core::expand_sweep(spec);
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        auto name = std::to_string(i + 1);
        if (name.size() < 2) name.insert(0, 1, '0');
        expected.push_back(name.append("_").append(core::config_of(plan, plan.runs[i]).label));
    }
    std::vector<std::string> run_dirs;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        if (entry.is_directory()) run_dirs.push_back(entry.path().filename().string());
    }
    std::sort(run_dirs.begin(), run_dirs.end());
    EXPECT_EQ(run_dirs, expected);
    for (const auto* report : {"sweep_report.md", "sweep_report.csv", "sweep_report.json", "sweep_report.html"}) {
        EXPECT_TRUE(std::filesystem::is_regular_file(out / report)) << report;
    }

    // Not a terminal: one plain line per run, in plan order, nothing redrawn.
    const auto progress = test_support::read_text(progress_file);
    EXPECT_EQ(progress.find('\r'), std::string::npos);
    EXPECT_EQ(progress.find('\x1b'), std::string::npos);
    const auto lines = lines_of(progress);
    ASSERT_EQ(lines.size(), plan.runs.size() + 1) << progress;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const auto expected_start = "run " + std::to_string(i + 1) + "/" + std::to_string(plan.runs.size()) + " " +
                                    core::config_of(plan, plan.runs[i]).label + " succeeded | elapsed ";
        EXPECT_TRUE(lines[i].starts_with(expected_start)) << lines[i];
        EXPECT_NE(lines[i].find(" tok/s"), std::string::npos) << lines[i];
    }
    EXPECT_EQ(lines.back(), "6 of 6 runs succeeded; outputs in " + out.string());
}

TEST(Sweeps, ChimeraSweepStopsOnSigintAndSaysWhereThePartialResultsAre) {
    // ~1 s per call: the sweep is in its second run when it is interrupted.
    child_process sim{{CHIMERA_SIM_BIN, "--listen", "127.0.0.1:0", "--tokens", "20", "--tokens-per-second", "20"}};
    const auto sim_port = read_listening_port(sim);
    temp_dir work;
    const json body = {{"data_dir", std::string{CHIMERA_TEST_DATA_DIR} + "/tiny"},
                       {"grid", {{"num_ctx", {256, 512}}}},
                       {"repetitions", 2}};
    std::ofstream{work.path() / "spec.json"} << body.dump();
    const auto out = work.path() / "out";
    const auto progress_file = work.path() / "stderr.txt";
    child_process sweep{
        {test_support::chimera_binary(), "sweep", "--spec", (work.path() / "spec.json").string(), "--ollama-url",
         "http://127.0.0.1:" + std::to_string(sim_port), "--output-dir", out.string(), "--log-level", "error"},
        progress_file};
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (test_support::read_text(progress_file).find("run 1/6") == std::string::npos) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the first run never ended";
        std::this_thread::sleep_for(5ms);  // polling interval: the file's content decides
    }
    ::kill(sweep.pid(), SIGINT);
    EXPECT_EQ(sweep.wait_for_exit(20s), 130);

    const auto progress = test_support::read_text(progress_file);
    EXPECT_NE(progress.find("interrupted after 2 of 6 runs (1 succeeded): the partial report"), std::string::npos)
        << progress;
    EXPECT_NE(progress.find(out.string()), std::string::npos);
    EXPECT_NE(test_support::read_text(out / "sweep_report.html").find("<strong>Cancelled:</strong>"),
              std::string::npos);
    EXPECT_NE(test_support::read_text(out / "sweep_report.md").find("The sweep was cancelled"), std::string::npos);
    std::size_t run_dirs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out)) run_dirs += entry.is_directory() ? 1 : 0;
    EXPECT_EQ(run_dirs, 2U);  // the run that ended and the one interrupted; none started after
}

/// Issue 18 item 4: an Ollama host and a llama.cpp host (`kind=openai`), each a simulator whose
/// decode rate tells it apart — 20 tokens a call at 300 tok/s on Ollama, 900 on llama.cpp.
struct two_engines {
    child_process ollama{sim_argv(engine_sim_flags("ollama", 20, 300))};
    unsigned short ollama_port = read_listening_port(ollama);
    child_process llamacpp{sim_argv(engine_sim_flags("llamacpp", 20, 900))};
    unsigned short llamacpp_port = read_listening_port(llamacpp);

    [[nodiscard]] std::vector<std::string> backend_flags() const {
        return {"--backend", "ollama-a=http://127.0.0.1:" + std::to_string(ollama_port), "--backend",
                openai_backend_flag("llamacpp-b", llamacpp_port)};
    }

    /// LLM calls each simulator received: Ollama's on /api/generate, llama.cpp's on chat completions.
    [[nodiscard]] std::pair<std::size_t, std::size_t> calls() const {
        const auto ollama_stats = json::parse(http_request(ollama_port, "GET", "/sim/stats").body);
        const auto llamacpp_stats = json::parse(http_request(llamacpp_port, "GET", "/sim/stats").body);
        EXPECT_TRUE(requests_to(ollama_stats, "/v1/chat/completions").empty());
        EXPECT_TRUE(generate_requests(llamacpp_stats).empty());
        return {generate_requests(ollama_stats).size(), requests_to(llamacpp_stats, "/v1/chat/completions").size()};
    }
};

const json engine_sweep = {{"model", "m1"},
                           {"data_dir", "tiny"},
                           {"grid", {{"backend", {"ollama-a", "llamacpp-b"}}, {"temperature", {0.6, 0.8}}}},
                           {"repetitions", 2}};

/// The backend each planned run names, in core::expand_sweep's order.
std::vector<std::string> planned_backends(const json& body) {
    const auto plan = core::expand_sweep(std::get<core::sweep_spec>(core::parse_sweep_spec(body.dump())));
    std::vector<std::string> backends;
    for (const auto& run : plan.runs) backends.push_back(core::config_of(plan, run).backend.value_or(""));
    return backends;
}

/// The run named `backend`, and each of its calls ran there.
void expect_ran_on(const json& run, const std::string& backend) {
    EXPECT_EQ(run.at("status"), "succeeded") << run.dump();
    EXPECT_EQ(run.at("backend"), backend) << run.dump();
    ASSERT_EQ(run.at("calls").size(), 2U) << run.dump();
    for (const auto& call : run.at("calls")) EXPECT_EQ(call.at("backend"), backend) << run.dump();
}

/// Mean tok/s of the report's configs on `backend` (each config's own mean, averaged).
double mean_tok_s_on(const json& results, const std::string& backend) {
    double sum = 0;
    int n = 0;
    for (const auto& config : results.at("configs")) {
        if (config.at("backend") != backend) continue;
        sum += config.at("tok_s").at("mean").get<double>();
        ++n;
    }
    EXPECT_EQ(n, 2) << backend;
    return n == 0 ? 0 : sum / n;
}

/// The report's arms: each config on the backend its label starts with, with its runs, and the
/// faster engine's configs faster — the figures came from where the runs ran.
void expect_engines_compared(const json& results) {
    ASSERT_EQ(results.at("baselines").size(), 1U);
    EXPECT_EQ(results.at("baselines")[0].at("backend"), "ollama-a");  // the grid's first: no arm is left to routing
    EXPECT_EQ(results.at("baselines")[0].at("runs"), 2);
    std::vector<std::string> labels;
    for (const auto& config : results.at("configs")) {
        labels.push_back(config.at("label").get<std::string>());
        EXPECT_EQ(config.at("runs"), 2) << config.dump();
        EXPECT_TRUE(labels.back().starts_with(config.at("backend").get<std::string>() + "_")) << config.dump();
    }
    EXPECT_EQ(labels, (std::vector<std::string>{"ollama-a_temp0.6", "ollama-a_temp0.8", "llamacpp-b_temp0.6",
                                                "llamacpp-b_temp0.8"}));
    EXPECT_GT(mean_tok_s_on(results, "llamacpp-b"), 1.5 * mean_tok_s_on(results, "ollama-a"));
    EXPECT_EQ(results.at("ranking")[0].get<std::string>().rfind("llamacpp-b_", 0), 0U) << results.at("ranking");
}

TEST(Sweeps, ATwoEngineSweepRunsEachArmAloneOnItsBackendAndComparesThem) {
    const two_engines engines;
    // The --backend flags replace the stack's own simulator (its --ollama-url) as the fleet.
    service_stack stack{{}, [&] {
                            auto flags = engines.backend_flags();
                            flags.insert(flags.end(), {"--workers", "4", "--model", "m1"});
                            return flags;
                        }()};
    // Ordinary runs on both backends before and after the sweep, free to run side by side.
    std::vector<std::string> ordinary;
    const auto submit_ordinary = [&] {
        for (const auto* backend : {"ollama-a", "llamacpp-b", "ollama-a", "llamacpp-b"})
            ordinary.push_back(stack.submit({{"data_dir", "tiny"}, {"backend", backend}}));
    };
    submit_ordinary();
    const auto id = post_sweep(stack, engine_sweep);
    submit_ordinary();

    const auto sweep = wait_sweep_finished(stack, id);
    ASSERT_EQ(sweep.at("status"), "succeeded") << sweep.dump();
    EXPECT_EQ(sweep.at("progress").at("total"), 10);

    const auto runs = by_start(sweep_run_documents(stack, id));
    ASSERT_EQ(runs.size(), 10U);
    const auto backends = planned_backends(engine_sweep);
    for (std::size_t i = 0; i < runs.size(); ++i) expect_ran_on(runs[i], backends[i]);
    std::vector<json> others;
    for (const auto& run_id : ordinary) others.push_back(stack.wait_finished(run_id));
    const auto ordinary_runs = by_start(others);
    // Runs on the two engines did overlap outside the sweep: what follows is not serial by accident.
    EXPECT_TRUE(runs_overlap(ordinary_runs[0], ordinary_runs[1]) || runs_overlap(ordinary_runs[4], ordinary_runs[5]));
    for (std::size_t i = 0; i < runs.size(); ++i) {
        for (std::size_t j = i + 1; j < runs.size(); ++j)
            EXPECT_FALSE(runs_overlap(runs[i], runs[j])) << i << ", " << j;
        for (const auto& other : others) EXPECT_FALSE(runs_overlap(runs[i], other)) << other.at("id");
    }

    // 6 sweep runs on Ollama (2 baselines, 4 configs), 4 on llama.cpp, and 4 ordinary runs on each: 2 calls a run.
    const auto [ollama_calls, llamacpp_calls] = engines.calls();
    EXPECT_EQ(ollama_calls, (6U + 4U) * 2U);
    EXPECT_EQ(llamacpp_calls, (4U + 4U) * 2U);

    expect_engines_compared(sweep.at("results"));
    const auto csv = lines_of(http_request(stack.port, "GET", "/sweeps/" + id + "/report?format=csv").body);
    ASSERT_EQ(csv.size(), 6U);
    EXPECT_TRUE(csv[0].ends_with(",backend"));
    EXPECT_TRUE(csv[1].starts_with("baseline,baseline,") && csv[1].ends_with(",ollama-a")) << csv[1];
    EXPECT_TRUE(csv[5].starts_with("config,llamacpp-b_temp0.8,") && csv[5].ends_with(",llamacpp-b")) << csv[5];
    const auto html = http_request(stack.port, "GET", "/sweeps/" + id + "/report?format=html").body;
    EXPECT_NE(html.find("<th scope=\"row\">baseline (on ollama-a)</th>"), std::string::npos);
}

TEST(Sweeps, ATwoEngineSweepIsRefusedWholeWhenAnArmCannotRun) {
    const two_engines engines;
    service_stack stack{{}, engines.backend_flags()};
    const auto refusal_of = [&](const json& body) {
        const auto reply = http_request(stack.port, "POST", "/sweeps", body.dump());
        const auto problem = json::parse(reply.body);
        return std::to_string(reply.status) + " " + problem.value("field", "") + ": " + problem.value("detail", "");
    };
    EXPECT_TRUE(refusal_of({{"model", "m1"}, {"grid", {{"backend", {"ollama-a", "vllm-c"}}}}})
                    .starts_with("400 grid.backend[1]: no backend is named 'vllm-c'"));
    EXPECT_TRUE(refusal_of({{"model", "m1"}, {"grid", {{"backend", {"ollama-a", "llamacpp-b"}}, {"num_ctx", {512}}}}})
                    .starts_with("400 grid.num_ctx[0]: backend llamacpp-b (openai) cannot take the options num_ctx"));
    EXPECT_TRUE(refusal_of({{"model", "m1"}, {"baseline", {{"backend", "nope"}}}, {"grid", {{"seed", {1}}}}})
                    .starts_with("400 baseline.backend: "));
    EXPECT_EQ(json::parse(http_request(stack.port, "GET", "/sweeps").body).at("sweeps").size(), 0U);
    const auto [ollama_calls, llamacpp_calls] = engines.calls();
    EXPECT_EQ(ollama_calls + llamacpp_calls, 0U);
}

TEST(Sweeps, ChimeraSweepComparesTwoEnginesLocally) {
    const two_engines engines;
    temp_dir work;
    auto body = engine_sweep;
    body["data_dir"] = std::string{CHIMERA_TEST_DATA_DIR} + "/tiny";
    std::ofstream{work.path() / "spec.json"} << body.dump();
    const auto out = work.path() / "out";
    std::vector<std::string> argv{test_support::chimera_binary(),
                                  "sweep",
                                  "--spec",
                                  (work.path() / "spec.json").string(),
                                  "--output-dir",
                                  out.string(),
                                  "--format",
                                  "json",
                                  "--log-level",
                                  "warn"};
    const auto flags = engines.backend_flags();
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_process sweep{argv, work.path() / "stderr.txt"};
    const auto results = json::parse(read_all(sweep));
    EXPECT_EQ(sweep.terminate(), 0) << test_support::read_text(work.path() / "stderr.txt");

    expect_engines_compared(results);
    const auto [ollama_calls, llamacpp_calls] = engines.calls();
    EXPECT_EQ(ollama_calls, 6U * 2U);
    EXPECT_EQ(llamacpp_calls, 4U * 2U);

    // Each run's own record, in plan order: it ran where its config said, and the runs did not overlap.
    std::vector<std::filesystem::path> run_dirs;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        if (entry.is_directory()) run_dirs.push_back(entry.path());
    }
    std::sort(run_dirs.begin(), run_dirs.end());
    const auto backends = planned_backends(engine_sweep);
    ASSERT_EQ(run_dirs.size(), backends.size());
    std::vector<json> runs;
    for (std::size_t i = 0; i < run_dirs.size(); ++i) {
        runs.push_back(json::parse(test_support::read_text(run_dirs[i] / "run.json")));
        expect_ran_on(runs.back(), backends[i]);
    }
    for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_FALSE(runs_overlap(runs[i - 1], runs[i])) << i;
}

TEST(Sweeps, ChimeraSweepRefusesABackendItWasNotGiven) {
    const two_engines engines;
    temp_dir work;
    std::ofstream{work.path() / "spec.json"}
        << json{{"model", "m1"}, {"grid", {{"backend", {"ollama-a", "vllm-c"}}}}}.dump();
    std::vector<std::string> argv{test_support::chimera_binary(),       "sweep",        "--spec",
                                  (work.path() / "spec.json").string(), "--output-dir", (work.path() / "out").string()};
    const auto flags = engines.backend_flags();
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_process sweep{argv, work.path() / "stderr.txt"};
    EXPECT_EQ(sweep.wait_for_exit(20s), 2);
    EXPECT_NE(test_support::read_text(work.path() / "stderr.txt")
                  .find("--spec: grid.backend[1]: no backend is named 'vllm-c'"),
              std::string::npos)
        << test_support::read_text(work.path() / "stderr.txt");
    const auto [ollama_calls, llamacpp_calls] = engines.calls();
    EXPECT_EQ(ollama_calls + llamacpp_calls, 0U);
}

}  // namespace
}  // namespace chimera::testing
