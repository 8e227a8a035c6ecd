#include "chimera/core/run/report_renderer.hpp"

#include <gtest/gtest.h>

#include "run_fixtures.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::contains;

TEST(report_renderer, heads_the_model_text_with_date_run_model_and_options) {
    const auto report = render_report(test::two_call_run(), "## Executive Summary\nAll fine.\n");
    EXPECT_EQ(report,
              "# Chimera Technical Report\n\n"
              "**Date:** 2026-11-27T17:00:27.500Z  \n"
              "**Run:** 0d9e3f7a-1b2c-4d5e-8f60-718293a4b5c6  \n"
              "**Model:** gemma3:latest  \n"
              "**Options:** num_gpu=80, num_ctx=512, temperature=0.8  \n"
              "**Label:** tuned\\|ctx512  \n"
              "\n---\n\n"
              "## Executive Summary\nAll fine.\n");
}

TEST(report_renderer, names_the_engine_after_the_model_when_the_run_checked_it) {
    auto run = test::two_call_run();
    run.engine = engine_identity{"gpu-a", backend_kind::ollama, "0.12.3"};
    EXPECT_TRUE(
        contains(render_report(run, ""), "**Model:** gemma3:latest  \n**Engine:** Ollama 0.12.3 on backend gpu-a  \n"));
    run.engine = engine_identity{"llama|b", backend_kind::openai, std::nullopt};
    EXPECT_TRUE(contains(render_report(run, ""), "**Engine:** OpenAI-compatible engine on backend llama\\|b  \n"));
}

TEST(report_renderer, control_characters_in_the_models_text_are_shown_not_sent) {
    const auto report = render_report(test::two_call_run(), "## Summary\r\n\x1b[31mred\x1b[0m and a bell\x07\n");
    EXPECT_EQ(report.find('\x1b'), std::string::npos);
    EXPECT_TRUE(contains(report, "## Summary\n\u241b[31mred\u241b[0m and a bell\u2407\n")) << report;
}

TEST(report_renderer, says_ollama_defaults_when_no_option_was_set) {
    auto run = test::two_call_run();
    run.options = {};
    run.label.reset();
    const auto report = render_report(run, "text");
    EXPECT_TRUE(contains(report, "**Options:** Ollama defaults  \n"));
    EXPECT_FALSE(contains(report, "**Label:**"));
}

TEST(report_renderer, lists_every_set_option_in_the_seed_order) {
    auto run = test::two_call_run();
    run.options.top_p = 0.9;
    run.options.top_k = 40;
    run.options.repeat_penalty = 1.1;
    run.options.num_predict = 512;
    run.options.seed = 9007199254740993;  // not representable as a double
    EXPECT_TRUE(contains(render_report(run, ""),
                         "**Options:** num_gpu=80, num_ctx=512, temperature=0.8, top_p=0.9, top_k=40, "
                         "repeat_penalty=1.1, num_predict=512, seed=9007199254740993  \n"));
}

TEST(report_renderer, dates_an_unfinished_run_by_its_creation) {
    auto run = test::two_call_run();
    run.finished_at.reset();
    EXPECT_TRUE(contains(render_report(run, ""), "**Date:** 2026-11-27T17:00:00.000Z  \n"));
}

TEST(report_renderer, ends_the_model_text_with_a_newline) {
    const auto report = render_report(test::two_call_run(), "last line");
    const std::string tail = "\n---\n\nlast line\n";
    ASSERT_GE(report.size(), tail.size());
    EXPECT_EQ(report.substr(report.size() - tail.size()), tail);
}

}  // namespace
}  // namespace chimera::core
