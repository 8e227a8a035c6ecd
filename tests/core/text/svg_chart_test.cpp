#include "chimera/core/text/svg_chart.hpp"

#include <cmath>
#include <regex>

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

bool is_round_step(double step) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(step)));
    const double factor = step / magnitude;
    for (const double round : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (std::abs(factor - round) < 1e-9) return true;
    }
    return false;
}

TEST(nice_axis, covers_the_range_with_round_ticks) {
    for (const auto& [low, high] : {std::pair{97.3, 102.1}, {0.0, 3712.0}, {-4.2, 1.7}, {0.0013, 0.0091}}) {
        const auto axis = nice_axis(low, high);
        EXPECT_LE(axis.low, low);
        EXPECT_GE(axis.high, high);
        EXPECT_TRUE(is_round_step(axis.step)) << axis.step;
        ASSERT_GE(axis.ticks.size(), 3U);
        EXPECT_LE(axis.ticks.size(), 12U);
        EXPECT_DOUBLE_EQ(axis.ticks.front(), axis.low);
        EXPECT_NEAR(axis.ticks.back(), axis.high, axis.step * 1e-9);
    }
}

TEST(nice_axis, a_single_value_gets_a_range_around_it) {
    const auto axis = nice_axis(50, 50);
    EXPECT_LT(axis.low, 50);
    EXPECT_GT(axis.high, 50);
    const auto zero = nice_axis(0, 0);
    EXPECT_LT(zero.low, 0);
    EXPECT_GT(zero.high, 0);
}

TEST(nice_axis, decimals_tell_the_ticks_apart) {
    EXPECT_EQ(nice_axis(0, 1000).decimals, 0);
    EXPECT_EQ(nice_axis(0, 0.5).decimals, 1);
    EXPECT_EQ(nice_axis(0, 12.5, 5).decimals, 1);  // steps of 2.5
}

chart_row row(const std::string& label, std::vector<chart_value> values) {
    chart_row row;
    row.label = label;
    row.key = label;
    row.values = std::move(values);
    return row;
}

horizontal_chart two_series_chart() {
    horizontal_chart chart;
    chart.id = "c1";
    chart.title = "TTFT";
    chart.description = "per config";
    chart.axis_label = "TTFT (ms)";
    chart.series = {"cold", "warm"};
    chart.rows.push_back(row("gpu60", {{3500.0, 3400.0, 3600.0, true, "gpu60 cold"}, {200.0, {}, {}, true, "w"}}));
    chart.rows.push_back(row("<b>x</b>", {{3300.0, {}, {}, false, "x cold"}, {{}, {}, {}, false, "no data"}}));
    return chart;
}

TEST(svg_chart, one_mark_per_row_and_series_with_its_config) {
    const auto svg = render_svg_chart(two_series_chart());
    EXPECT_EQ(count(svg, "class=\"mark "), 4U);
    EXPECT_EQ(count(svg, "data-config=\"gpu60\""), 2U);
    EXPECT_EQ(count(svg, "data-config=\"&lt;b&gt;x&lt;/b&gt;\""), 2U);
    EXPECT_EQ(count(svg, "data-series=\"warm\""), 2U);
    EXPECT_EQ(count(svg, ">n/a</text>"), 1U);
    EXPECT_EQ(count(svg, "<circle cx"), 3U);
}

TEST(svg_chart, is_accessible_and_escapes_labels) {
    const auto svg = render_svg_chart(two_series_chart());
    EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
    EXPECT_NE(svg.find("aria-labelledby=\"c1-title c1-desc\""), std::string::npos);
    EXPECT_NE(svg.find("<title id=\"c1-title\">TTFT</title>"), std::string::npos);
    EXPECT_NE(svg.find("<desc id=\"c1-desc\">per config</desc>"), std::string::npos);
    EXPECT_NE(svg.find("class=\"axis-label\""), std::string::npos);
    EXPECT_NE(svg.find(">TTFT (ms)</text>"), std::string::npos);
    EXPECT_NE(svg.find("<title>gpu60 cold</title>"), std::string::npos);
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
    EXPECT_NE(svg.find(">cold</text>"), std::string::npos);  // legend: two series
}

TEST(svg_chart, marks_sit_where_their_values_are_on_the_axis) {
    horizontal_chart chart;
    chart.id = "c";
    chart.series = {"tok/s"};
    chart.rows.push_back(row("low", {{10.0, {}, {}, true, ""}}));
    chart.rows.push_back(row("high", {{20.0, {}, {}, true, ""}}));
    const auto svg = render_svg_chart(chart);
    const std::regex circle{R"re(<circle cx="([0-9.]+)")re"};
    std::vector<double> xs;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator(); ++it) {
        xs.push_back(std::stod((*it)[1]));
    }
    ASSERT_EQ(xs.size(), 2U);
    EXPECT_LT(xs[0], xs[1]);
}

TEST(svg_chart, bars_start_at_zero_and_a_reference_is_drawn_across) {
    horizontal_chart chart;
    chart.id = "d";
    chart.mark = chart_mark::bar;
    chart.series = {"delta"};
    chart.rows.push_back(row("up", {{5.0, {}, {}, true, ""}}));
    chart.rows.push_back(row("down", {{-3.0, {}, {}, false, ""}}));
    chart.reference = chart_reference{1.0, 0.5, 1.5, "baseline"};
    const auto svg = render_svg_chart(chart);
    EXPECT_EQ(count(svg, "class=\"zero\""), 1U);
    EXPECT_EQ(count(svg, "class=\"ref-line\""), 2U);  // the line and its legend swatch
    EXPECT_EQ(count(svg, "class=\"ref-band\""), 1U);
    EXPECT_EQ(count(svg, "mark s0 filled"), 1U);
    EXPECT_EQ(count(svg, "mark s0 hollow"), 1U);
    EXPECT_EQ(count(svg, "<rect x="), 2U);
}

}  // namespace
}  // namespace chimera::core::detail
