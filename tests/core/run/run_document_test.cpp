#include "chimera/core/run/run_document.hpp"

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::core {
namespace {

using namespace std::chrono;
using nlohmann::json;

wall_time at(sys_days day, milliseconds time_of_day) { return wall_time(day) + time_of_day; }

std::vector<std::string> keys_of(const json& object) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.items()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    return keys;
}

run_document finished_run() {
    run_document run;
    run.id = "r-0001";
    run.status = run_status::succeeded;
    run.stage = run_stage::done;
    run.model = "gemma3:latest";
    run.options.num_ctx = 512;
    run.label = "sweep";
    run.data_dir = "/data/tr109";
    run.created_at = at(2026y / November / 27, 17h + 9min + 58s + 123ms);
    run.started_at = run.created_at + 5ms;
    run.finished_at = run.created_at + 40s;
    ingest_result ingest;
    ingest.files = 2;
    ingest.bytes = 300;
    ingest.csv_files = 1;
    ingest.markdown_files = 1;
    ingest.errors = {{"bad.json", "empty file"}};
    ingest.seconds = 0.004;
    run.ingest = ingest;
    call_metrics call;
    call.stage = call_stage::report;
    call.ttft_ms = 3828;
    call.tokens_per_second = 98.8;
    call.tokens_per_second_source = rate_source::client;
    call.tokens_generated = 1512;
    call.prompt_tokens = 900;
    call.done_reason = "stop";
    run.calls = {call};
    run.timings.ingest_seconds = 0.004;
    run.timings.total_seconds = 40;
    run.parsed_analysis = analysis{"flat", {"f1"}, {"r1", "r2"}};
    return run;
}

TEST(run_document, formats_rfc3339_utc_with_milliseconds) {
    EXPECT_EQ(format_rfc3339(at(2026y / November / 27, 17h + 9min + 58s + 123ms)), "2026-11-27T17:09:58.123Z");
    EXPECT_EQ(format_rfc3339(wall_time{}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339(wall_time{} - 1ms), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339(wall_time{} + 999999us), "1970-01-01T00:00:00.999Z");  // truncates, never rounds up
}

TEST(run_document, status_and_stage_names_match_the_api) {
    EXPECT_EQ(to_string(run_status::queued), "queued");
    EXPECT_EQ(to_string(run_status::running), "running");
    EXPECT_EQ(to_string(run_status::succeeded), "succeeded");
    EXPECT_EQ(to_string(run_status::failed), "failed");
    EXPECT_EQ(to_string(run_status::cancelled), "cancelled");
    EXPECT_EQ(to_string(run_stage::ingest), "ingest");
    EXPECT_EQ(to_string(run_stage::analysis), "analysis");
    EXPECT_EQ(to_string(run_stage::report), "report");
    EXPECT_EQ(to_string(run_stage::done), "done");
}

TEST(run_document, a_queued_run_has_every_key_with_nulls_for_what_did_not_happen) {
    run_document run;
    run.id = "abc";
    run.model = "m";
    run.data_dir = "/d";
    const json doc = to_json(run);
    EXPECT_EQ(keys_of(doc), (std::vector<std::string>{
                                "analysis", "attempt",    "backend",     "calls",       "created_at",  "data_dir",
                                "engine",   "error",      "executed_by", "finished_at", "handed_back", "id",
                                "ingest",   "label",      "links",       "model",       "options",     "request_id",
                                "stage",    "started_at", "status",      "timings"}));
    EXPECT_EQ(doc["status"], "queued");
    EXPECT_EQ(doc["stage"], "queued");
    EXPECT_EQ(doc["options"], json::object());
    EXPECT_EQ(doc["attempt"], 0);
    EXPECT_EQ(doc["backend"], nullptr);
    for (const char* key :
         {"label", "engine", "request_id", "executed_by", "started_at", "finished_at", "error", "ingest", "analysis"}) {
        EXPECT_TRUE(doc[key].is_null()) << key;
    }
    EXPECT_EQ(doc["calls"], json::array());
    EXPECT_EQ(doc["timings"], (json{{"ingest_seconds", nullptr},
                                    {"analysis_seconds", nullptr},
                                    {"report_seconds", nullptr},
                                    {"total_seconds", nullptr}}));
    EXPECT_EQ(doc["links"], (json{{"self", "/runs/abc"}, {"report", "/runs/abc/report"}}));
}

TEST(run_document, a_finished_run_serialises_every_part) {
    const json doc = to_json(finished_run());
    EXPECT_EQ(doc["id"], "r-0001");
    EXPECT_EQ(doc["status"], "succeeded");
    EXPECT_EQ(doc["stage"], "done");
    EXPECT_EQ(doc["options"], (json{{"num_ctx", 512}}));
    EXPECT_EQ(doc["label"], "sweep");
    EXPECT_EQ(doc["created_at"], "2026-11-27T17:09:58.123Z");
    EXPECT_EQ(doc["started_at"], "2026-11-27T17:09:58.128Z");
    EXPECT_EQ(doc["finished_at"], "2026-11-27T17:10:38.123Z");
    EXPECT_EQ(doc["ingest"], (json{{"files", 2},
                                   {"bytes", 300},
                                   {"by_type", {{"csv", 1}, {"json", 0}, {"markdown", 1}}},
                                   {"errors", json::array({{{"file", "bad.json"}, {"error", "empty file"}}})},
                                   {"seconds", 0.004}}));
    ASSERT_EQ(doc["calls"].size(), 1U);
    const auto& call = doc["calls"][0];
    EXPECT_EQ(keys_of(call), (std::vector<std::string>{
                                 "attempt_errors", "attempts", "backend", "done_reason", "error", "eval_ms", "load_ms",
                                 "outcome", "prompt_eval_ms", "prompt_tokens", "stage", "stream_ms", "tokens_generated",
                                 "tokens_per_second", "tokens_per_second_source", "total_ms", "ttft_ms"}));
    EXPECT_EQ(call["outcome"], "ok");
    EXPECT_TRUE(call["error"].is_null());
    EXPECT_EQ(call["attempts"], 1);
    EXPECT_EQ(call["stage"], "report");
    EXPECT_EQ(call["tokens_generated"], 1512);
    EXPECT_EQ(call["tokens_per_second"], 98.8);
    EXPECT_EQ(call["tokens_per_second_source"], "client");
    EXPECT_EQ(doc["timings"]["ingest_seconds"], 0.004);
    EXPECT_TRUE(doc["timings"]["analysis_seconds"].is_null());
    EXPECT_EQ(doc["analysis"],
              (json{{"summary", "flat"}, {"key_findings", {"f1"}}, {"recommendations", {"r1", "r2"}}}));
}

TEST(run_document, names_the_engine_its_check_found_and_its_version_when_it_gave_one) {
    run_document run = finished_run();
    run.engine = engine_identity{"gpu-a", backend_kind::ollama, "0.12.3"};
    EXPECT_EQ(to_json(run)["engine"], (json{{"backend", "gpu-a"}, {"kind", "ollama"}, {"version", "0.12.3"}}));
    run.engine = engine_identity{"llama", backend_kind::openai, std::nullopt};
    EXPECT_EQ(to_json(run)["engine"], (json{{"backend", "llama"}, {"kind", "openai"}, {"version", nullptr}}));
}

TEST(run_document, a_failed_run_carries_its_error) {
    run_document run = finished_run();
    run.status = run_status::failed;
    run.error = run_error{failure_type::backend_unavailable, "connection refused"};
    const json doc = to_json(run);
    EXPECT_EQ(doc["error"], (json{{"type", "backend_unavailable"}, {"detail", "connection refused"}}));
}

TEST(run_document, dumps_invalid_utf8_from_a_model_with_the_replace_handler) {
    run_document run = finished_run();
    run.parsed_analysis->summary = "bad \xff byte";
    const std::string text = to_json(run).dump(-1, ' ', false, json::error_handler_t::replace);
    EXPECT_NE(text.find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

TEST(run_document, a_failed_call_keeps_its_record_with_null_ttft_when_no_token_came) {
    run_document run;
    run.id = "r";
    failed_call failed;
    failed.stage = call_stage::analysis;
    failed.attempts = 3;
    failed.outcome = llm_outcome::http_error;
    failed.error = "HTTP 503: busy";
    failed.attempt_errors = {"HTTP 503: busy", "HTTP 503: busy"};
    run.calls.push_back(make_failed_call_metrics(failed));
    const auto call = to_json(run)["calls"][0];
    EXPECT_EQ(call["outcome"], "http_error");
    EXPECT_EQ(call["error"], "HTTP 503: busy");
    EXPECT_EQ(call["attempts"], 3);
    EXPECT_EQ(call["attempt_errors"].size(), 2U);
    EXPECT_TRUE(call["ttft_ms"].is_null());
    EXPECT_TRUE(call["tokens_per_second_source"].is_null()) << "a failed call has no rate";
    EXPECT_EQ(call["tokens_generated"], 0);
}

}  // namespace
}  // namespace chimera::core
