#include "chimera/core/sweep/sweep_report_html.hpp"

#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "sweep_test_support.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

using test::arm_of;
using test::contains;
using test::run_with;
using test::small_sweep;

/// The SVG of the chart with this id.
std::string chart(const std::string& page, const std::string& id) {
    const auto start = page.find("id=\"" + id + "\"");
    if (start == std::string::npos) return {};
    return page.substr(start, page.find("</svg>", start) - start);
}

/// data-config of each mark, in order.
std::vector<std::string> mark_configs(const std::string& svg) {
    const std::regex mark{R"re(<g class="mark [^"]*" data-config="([^"]*)")re"};
    std::vector<std::string> configs;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), mark); it != std::sregex_iterator(); ++it) {
        configs.push_back((*it)[1]);
    }
    return configs;
}

std::multiset<std::string> labels(const sweep_result& result) {
    std::multiset<std::string> out;
    for (const auto& config : result.configs) out.insert(config.summary.label);
    return out;
}

std::multiset<std::string> as_set(const std::vector<std::string>& values) { return {values.begin(), values.end()}; }

TEST(sweep_report_html, is_one_page_with_one_mark_per_config_in_each_chart) {
    const auto result = analyze_sweep(small_sweep());
    const auto page = render_sweep_html(result);
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(contains(page, "<title>Sweep report: gemma3:latest</title>"));
    EXPECT_TRUE(contains(page, "prefers-color-scheme: dark"));
    EXPECT_FALSE(contains(page, "<script"));
    EXPECT_FALSE(contains(page, "src="));  // nothing to fetch: readable offline
    EXPECT_FALSE(contains(page, "href="));
    for (const auto* id : {"chart-throughput", "chart-ttft-cold", "chart-ttft-warm", "chart-delta"}) {
        const auto svg = chart(page, id);
        ASSERT_FALSE(svg.empty()) << id;
        EXPECT_EQ(as_set(mark_configs(svg)), labels(result)) << id;
        EXPECT_TRUE(contains(svg, "class=\"axis-label\"")) << id;
    }
    EXPECT_TRUE(chart(page, "chart-ttft").empty());  // cold and warm are known: charted apart
}

TEST(sweep_report_html, every_chart_has_a_data_table_beneath) {
    const auto page = render_sweep_html(analyze_sweep(small_sweep()));
    std::size_t charts = 0;
    for (auto at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) {
        ++charts;
        const auto end = page.find("</svg>", at);
        const auto next_chart = page.find("<svg", end);
        const auto table = page.find("<table>", end);
        EXPECT_LT(table, next_chart);
    }
    EXPECT_EQ(charts, 4U);
}

TEST(sweep_report_html, the_single_baseline_is_drawn_across_with_its_spread) {
    const auto result = analyze_sweep(small_sweep());
    const auto svg = chart(render_sweep_html(result), "chart-throughput");
    EXPECT_TRUE(contains(svg, "class=\"ref-band\""));
    EXPECT_TRUE(contains(svg, "baseline mean 98.50 tok/s"));
    EXPECT_FALSE(contains(svg, "class=\"ref-tick\""));
}

TEST(sweep_report_html, a_baseline_on_a_named_backend_says_which) {
    auto result = analyze_sweep(small_sweep());
    result.baselines.front().backend = "gpu-b";
    const auto page = render_sweep_html(result);
    EXPECT_TRUE(contains(chart(page, "chart-throughput"), "(on gpu-b) mean 98.50 tok/s"));
    EXPECT_TRUE(contains(page, "<th scope=\"row\">" + result.baselines.front().label + " (on gpu-b)</th>"));
}

TEST(sweep_report_html, the_delta_chart_follows_the_ranking_and_marks_significance) {
    const auto result = analyze_sweep(small_sweep());
    const auto svg = chart(render_sweep_html(result), "chart-delta");
    const auto order = mark_configs(svg);
    ASSERT_EQ(order.size(), result.ranking.size());
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], result.configs[result.ranking[i]].summary.label);
    std::size_t significant = 0;
    for (const auto& config : result.configs) {
        if (config.vs_baseline.welch && config.vs_baseline.welch->p_two_sided < 0.05) ++significant;
    }
    const std::regex filled{R"re(<g class="mark s0 filled")re"};
    EXPECT_EQ(static_cast<std::size_t>(
                  std::distance(std::sregex_iterator(svg.begin(), svg.end(), filled), std::sregex_iterator())),
              significant);
    EXPECT_GT(significant, 0U);
}

TEST(sweep_report_html, a_running_sweep_says_its_figures_are_partial) {
    const auto result = analyze_sweep(small_sweep());
    const auto page = render_sweep_html(result, {sweep_completion{4, 9}});
    EXPECT_TRUE(contains(page, "Still running:</strong> 4 of 9 runs have finished"));
    EXPECT_FALSE(contains(render_sweep_html(result), "Still running"));
    auto cancelled = result;
    cancelled.cancelled = true;
    EXPECT_TRUE(contains(render_sweep_html(cancelled), "Cancelled:"));
}

TEST(sweep_report_html, a_sweep_without_data_yet_still_renders_a_mark_per_config) {
    sweep_observations empty;
    empty.model = "m";
    empty.baselines.push_back(arm_of("baseline", {}));
    empty.configs.push_back({arm_of("gpu60", {}), 0, true});
    const auto page = render_sweep_html(analyze_sweep(empty), {sweep_completion{0, 4}});
    EXPECT_EQ(mark_configs(chart(page, "chart-throughput")), std::vector<std::string>{"gpu60"});
    EXPECT_EQ(mark_configs(chart(page, "chart-delta")), std::vector<std::string>{"gpu60"});
    EXPECT_TRUE(contains(page, "n/a"));
}

TEST(sweep_report_html, text_from_clients_is_escaped) {
    auto sweep = small_sweep();
    sweep.model = "<script>alert(1)</script>";
    sweep.configs[0].arm.label = "num_ctx\"><img src=x onerror=alert(2)>";
    const auto page = render_sweep_html(analyze_sweep(sweep));
    EXPECT_FALSE(contains(page, "<script>"));
    EXPECT_FALSE(contains(page, "<img"));
    EXPECT_TRUE(contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    EXPECT_TRUE(contains(page, "data-config=\"num_ctx&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""));
}

TEST(sweep_report_html, without_load_durations_ttft_is_one_chart_of_all_calls) {
    sweep_observations sweep;
    sweep.model = "m";
    sweep.baselines.push_back(arm_of("baseline/a", {run_with(98, {}), run_with(99, {})}));
    sweep.baselines.push_back(arm_of("baseline/b", {run_with(97, {}), run_with(98, {})}));
    for (auto& baseline : sweep.baselines) {
        for (auto& run : baseline.runs) run.calls.push_back({300, std::nullopt});
    }
    auto a = arm_of("a", {run_with(100, {}), run_with(101, {})});
    auto b = arm_of("b", {run_with(96, {}), run_with(96.5, {})});
    for (auto* arm : {&a, &b}) {
        for (auto& run : arm->runs) run.calls.push_back({280, std::nullopt});
    }
    sweep.configs.push_back({std::move(a), 0, true});
    sweep.configs.push_back({std::move(b), 1, true});
    const auto page = render_sweep_html(analyze_sweep(sweep));
    EXPECT_TRUE(chart(page, "chart-ttft-cold").empty());
    EXPECT_EQ(mark_configs(chart(page, "chart-ttft")).size(), 2U);
    const auto throughput = chart(page, "chart-throughput");
    EXPECT_TRUE(contains(throughput, "class=\"ref-tick\""));  // each config's own baseline
    EXPECT_TRUE(contains(throughput, "baseline/b: mean 97.50 tok/s"));
}

}  // namespace
}  // namespace chimera::core
