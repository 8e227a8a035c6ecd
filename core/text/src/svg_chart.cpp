#include "chimera/core/text/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/html_escape.hpp"
#include "chimera/core/text/text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {
namespace {

constexpr double chart_width = 760;
constexpr double char_width = 7;  // of a 12 px sans-serif glyph, on average: sizes the label column
constexpr std::size_t max_label_chars = 40;
constexpr double legend_height = 24;
constexpr double axis_height = 46;
constexpr double series_height = 14;
constexpr double row_padding = 10;
constexpr double right_margin = 24;
constexpr std::size_t palette_size = 4;

[[nodiscard]] std::string fixed(double value, int decimals) {
    std::array<char, 64> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) return format_number(value);
    return {buffer.data(), result.ptr};
}

[[nodiscard]] std::string px(double value) { return fixed(value, 1); }

[[nodiscard]] std::string attr(std::string_view name, std::string_view value) {
    return concat(" ", name, "=\"", html_escape(value), "\"");
}

[[nodiscard]] std::string line(double x1, double y1, double x2, double y2, std::string_view css_class) {
    return concat("<line class=\"", css_class, "\" x1=\"", px(x1), "\" y1=\"", px(y1), "\" x2=\"", px(x2), "\" y2=\"",
                  px(y2), "\"/>");
}

[[nodiscard]] std::string text(
    double x, double y, std::string_view anchor, std::string_view css_class, std::string_view content) {
    return concat("<text class=\"", css_class, "\" x=\"", px(x), "\" y=\"", px(y), "\" text-anchor=\"", anchor, "\">",
                  html_escape(content), "</text>");
}

[[nodiscard]] std::string short_label(const std::string& label) {
    const auto clean = sanitize_utf8(label);
    if (utf8_length(clean) <= max_label_chars) return clean;
    std::size_t bytes = 0;
    for (std::size_t kept = 0; kept + 1 < max_label_chars && bytes < clean.size(); ++kept) {
        do ++bytes;
        while (bytes < clean.size() && (static_cast<unsigned char>(clean[bytes]) & 0xC0) == 0x80);
    }
    return concat(std::string_view(clean).substr(0, bytes), "…");
}

struct chart_layout {
    double label_width = 0;
    double top = 0;
    double band = 0;
    double plot_bottom = 0;
    double height = 0;
    axis_scale axis;

    [[nodiscard]] double x(double value) const {
        const double right = chart_width - right_margin;
        return label_width + (value - axis.low) / (axis.high - axis.low) * (right - label_width);
    }
    [[nodiscard]] double row_top(std::size_t row) const { return top + band * static_cast<double>(row); }
};

/// Every value the axis must show: marks, whiskers, references, and 0 under bars.
[[nodiscard]] std::vector<double> plotted_values(const horizontal_chart& chart) {
    std::vector<double> values;
    if (chart.mark == chart_mark::bar) values.push_back(0);
    const auto add = [&values](const std::optional<double>& value) {
        if (value && std::isfinite(*value)) values.push_back(*value);
    };
    for (const auto& row : chart.rows) {
        add(row.reference);
        for (const auto& value : row.values) {
            add(value.value);
            add(value.low);
            add(value.high);
        }
    }
    if (chart.reference) {
        add(chart.reference->value);
        add(chart.reference->low);
        add(chart.reference->high);
    }
    return values;
}

[[nodiscard]] bool has_legend(const horizontal_chart& chart) {
    return chart.series.size() > 1 || chart.reference || !chart.row_reference_label.empty();
}

[[nodiscard]] chart_layout layout_of(const horizontal_chart& chart) {
    chart_layout layout;
    std::size_t longest = 4;
    for (const auto& row : chart.rows) longest = std::max(longest, utf8_length(short_label(row.label)));
    layout.label_width = static_cast<double>(longest) * char_width + 16;
    layout.top = has_legend(chart) ? legend_height + 6 : 8;
    layout.band = row_padding + series_height * static_cast<double>(std::max<std::size_t>(chart.series.size(), 1));
    layout.plot_bottom = layout.row_top(chart.rows.size());
    layout.height = layout.plot_bottom + axis_height;
    const auto values = plotted_values(chart);
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    layout.axis = values.empty() ? nice_axis(0, 1) : nice_axis(*low, *high);
    return layout;
}

[[nodiscard]] std::string series_class(std::size_t series) {
    return concat("s", std::to_string(series % palette_size));
}

/// Swatches and labels in a line above the plot; widths estimated from the text length.
void append_legend(std::string& out, const horizontal_chart& chart, const chart_layout& layout) {
    if (!has_legend(chart)) return;
    double x = layout.label_width;
    const double y = legend_height / 2 + 4;
    const auto entry = [&](std::string_view swatch, std::string_view label) {
        out += concat(swatch, text(x + 18, y + 4, "start", "legend", label));
        x += 30 + static_cast<double>(utf8_length(sanitize_utf8(label))) * char_width;
    };
    if (chart.series.size() > 1) {
        for (std::size_t s = 0; s < chart.series.size(); ++s) {
            entry(concat("<g class=\"", series_class(s), "\"><circle class=\"swatch\" cx=\"", px(x + 6), "\" cy=\"",
                         px(y), "\" r=\"5\"/></g>"),
                  chart.series[s]);
        }
    }
    if (chart.reference) entry(line(x, y, x + 14, y, "ref-line"), chart.reference->label);
    if (!chart.row_reference_label.empty())
        entry(line(x + 7, y - 7, x + 7, y + 7, "ref-tick"), chart.row_reference_label);
}

void append_axis(std::string& out, const horizontal_chart& chart, const chart_layout& layout) {
    out += "<g class=\"x-axis\">";
    for (const double tick : layout.axis.ticks) {
        const double x = layout.x(tick);
        out += line(x, layout.top, x, layout.plot_bottom, "grid");
        out += text(x, layout.plot_bottom + 16, "middle", "tick", fixed(tick, layout.axis.decimals));
    }
    out += line(layout.label_width, layout.plot_bottom, chart_width - right_margin, layout.plot_bottom, "axis");
    const double middle = (layout.label_width + chart_width - right_margin) / 2;
    out += text(middle, layout.plot_bottom + 38, "middle", "axis-label", chart.axis_label);
    out += "</g>";
}

void append_reference(std::string& out, const chart_reference& reference, const chart_layout& layout) {
    out += concat("<g class=\"reference\"><title>", html_escape(reference.label), "</title>");
    if (reference.low && reference.high) {
        const double left = layout.x(*reference.low);
        out +=
            concat("<rect class=\"ref-band\" x=\"", px(left), "\" y=\"", px(layout.top), "\" width=\"",
                   px(layout.x(*reference.high) - left), "\" height=\"", px(layout.plot_bottom - layout.top), "\"/>");
    }
    const double x = layout.x(reference.value);
    out += concat(line(x, layout.top, x, layout.plot_bottom, "ref-line"), "</g>");
}

[[nodiscard]] std::string mark_shape(const horizontal_chart& chart,
                                     const chart_value& value,
                                     double y,
                                     const chart_layout& layout) {
    if (!value.value || !std::isfinite(*value.value)) return text(layout.label_width + 4, y + 4, "start", "na", "n/a");
    const double x = layout.x(*value.value);
    if (chart.mark == chart_mark::bar) {
        const double zero = layout.x(0);
        return concat("<rect x=\"", px(std::min(x, zero)), "\" y=\"", px(y - 5), "\" width=\"",
                      px(std::max(std::abs(x - zero), 1.0)), "\" height=\"10\"/>");
    }
    std::string shape;
    if (value.low && value.high) {
        const double low = layout.x(*value.low);
        const double high = layout.x(*value.high);
        shape = concat(line(low, y, high, y, "whisker"), line(low, y - 4, low, y + 4, "whisker"),
                       line(high, y - 4, high, y + 4, "whisker"));
    }
    return concat(shape, "<circle cx=\"", px(x), "\" cy=\"", px(y), "\" r=\"4.5\"/>");
}

void append_mark(std::string& out,
                 const horizontal_chart& chart,
                 const chart_row& row,
                 std::size_t series,
                 double y,
                 const chart_layout& layout) {
    const auto& value = row.values[series];
    const auto name = series < chart.series.size() ? chart.series[series] : std::string{};
    out += concat("<g class=\"mark ", series_class(series), value.highlighted ? " filled" : " hollow", "\"",
                  attr("data-config", row.key), attr("data-series", name),
                  attr("data-value", value.value ? format_number(*value.value) : ""), "><title>",
                  html_escape(value.hover), "</title>", mark_shape(chart, value, y, layout), "</g>");
}

void append_row(std::string& out, const horizontal_chart& chart, std::size_t index, const chart_layout& layout) {
    const auto& row = chart.rows[index];
    const double top = layout.row_top(index);
    out += concat("<g class=\"row\">",
                  text(layout.label_width - 8, top + layout.band / 2 + 4, "end", "row-label", short_label(row.label)));
    if (row.reference) {
        const double x = layout.x(*row.reference);
        out += concat("<g class=\"row-reference\"><title>", html_escape(row.reference_hover), "</title>",
                      line(x, top + 2, x, top + layout.band - 2, "ref-tick"), "</g>");
    }
    for (std::size_t s = 0; s < row.values.size(); ++s) {
        append_mark(out, chart, row, s, top + row_padding / 2 + series_height * (static_cast<double>(s) + 0.5), layout);
    }
    out += "</g>";
}

/// Digits after the point that tell `step`'s multiples apart (2.5 needs one).
[[nodiscard]] int decimals_of(double step) {
    int decimals = 0;
    double scaled = step;
    while (decimals < 9 && std::abs(scaled - std::round(scaled)) > 1e-6 * std::max(1.0, std::abs(scaled))) {
        scaled *= 10;
        ++decimals;
    }
    return decimals;
}

[[nodiscard]] double nice_step(double span, int target_ticks) {
    const double raw = span / std::max(target_ticks, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (raw <= factor * magnitude * (1 + 1e-9)) return factor * magnitude;
    }
    return 10 * magnitude;
}

}  // namespace

axis_scale nice_axis(double low, double high, int target_ticks) {
    if (low > high) std::swap(low, high);
    if (high - low <= 0) {
        const double pad = low == 0 ? 1 : std::abs(low) * 0.05;
        low -= pad;
        high += pad;
    }
    axis_scale axis;
    axis.step = nice_step(high - low, target_ticks);
    const double first = std::floor(low / axis.step + 1e-9);
    const double last = std::ceil(high / axis.step - 1e-9);
    axis.low = first * axis.step;
    axis.high = last * axis.step;
    axis.decimals = decimals_of(axis.step);
    for (double k = first; k <= last; ++k) axis.ticks.push_back(k * axis.step);
    return axis;
}

std::string render_svg_chart(const horizontal_chart& chart) {
    const auto layout = layout_of(chart);
    const auto title_id = concat(chart.id, "-title");
    const auto desc_id = concat(chart.id, "-desc");
    std::string out = concat("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"",
                             attr("id", chart.id), " viewBox=\"0 0 ", px(chart_width), " ", px(layout.height), "\"",
                             attr("aria-labelledby", concat(title_id, " ", desc_id)), ">");
    out += concat("<title", attr("id", title_id), ">", html_escape(chart.title), "</title>");
    out += concat("<desc", attr("id", desc_id), ">", html_escape(chart.description), "</desc>");
    append_legend(out, chart, layout);
    append_axis(out, chart, layout);
    if (chart.reference) append_reference(out, *chart.reference, layout);
    if (chart.mark == chart_mark::bar) {
        out += line(layout.x(0), layout.top, layout.x(0), layout.plot_bottom, "zero");
    }
    for (std::size_t i = 0; i < chart.rows.size(); ++i) append_row(out, chart, i, layout);
    out += "</svg>";
    return out;
}

std::string_view svg_chart_css() {
    return R"(:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --grid: #d1d9e0;
  --ref: #59636e; --band: rgba(89, 99, 110, 0.14); --c0: #0969da; --c1: #bc4c00; --c2: #1a7f37; --c3: #8250df; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --grid: #30363d; --ref: #9198a1;
    --band: rgba(145, 152, 161, 0.18); --c0: #4493f8; --c1: #f0883e; --c2: #3fb950; --c3: #ab7df8; }
}
svg.chart { display: block; width: 100%; max-width: 760px; height: auto; font: 12px system-ui, sans-serif; }
svg.chart text { fill: var(--fg); }
svg.chart .tick, svg.chart .na { fill: var(--muted); }
svg.chart .na { font-style: italic; }
svg.chart .axis-label { font-weight: 600; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis, svg.chart .zero { stroke: var(--muted); stroke-width: 1; }
svg.chart .ref-line { stroke: var(--ref); stroke-width: 2; stroke-dasharray: 6 3; }
svg.chart .ref-band { fill: var(--band); }
svg.chart .ref-tick { stroke: var(--ref); stroke-width: 2; }
svg.chart .s0 { --mark: var(--c0); }
svg.chart .s1 { --mark: var(--c1); }
svg.chart .s2 { --mark: var(--c2); }
svg.chart .s3 { --mark: var(--c3); }
svg.chart .mark circle, svg.chart .mark rect, svg.chart .swatch { fill: var(--mark); stroke: var(--mark); stroke-width: 2; }
svg.chart .mark.hollow circle, svg.chart .mark.hollow rect { fill: var(--bg); }
svg.chart .whisker { stroke: var(--mark); stroke-width: 1.5; }
svg.chart .mark:hover circle, svg.chart .mark:hover rect { stroke-width: 3.5; }
)";
}

}  // namespace chimera::core::detail
