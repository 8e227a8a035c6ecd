#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::core::detail {

/// One series' value in one row of a chart; an absent value is drawn as "n/a" so that every
/// row still has one mark per series.
struct chart_value {
    std::optional<double> value;
    std::optional<double> low;  ///< whisker from low to high, when both are given
    std::optional<double> high;
    bool highlighted = false;  ///< drawn filled, else hollow: a second channel besides colour
    std::string hover;         ///< the mark's <title>, shown on hover and read by screen readers
};

struct chart_row {
    std::string label;                ///< written left of the row
    std::string key;                  ///< the data-config attribute of the row's marks
    std::vector<chart_value> values;  ///< one per series
    std::optional<double> reference;  ///< a tick of its own reference, e.g. the baseline measured beside it
    std::string reference_hover;
};

/// A value drawn across all rows, with an optional band (e.g. the baseline's min–max).
struct chart_reference {
    double value = 0;
    std::optional<double> low;
    std::optional<double> high;
    std::string label;
};

enum class chart_mark {
    dot,  ///< a point with its whisker: means whose spread matters more than their distance from 0
    bar,  ///< a bar from 0: signed changes
};

/// A horizontal chart, one row per item (labels stay readable however long), values along x.
/// All text is plain text: the renderer escapes it.
struct horizontal_chart {
    std::string id;  ///< unique in the page; prefixes the ids of the SVG's <title> and <desc>
    std::string title;
    std::string description;
    std::string axis_label;
    chart_mark mark = chart_mark::dot;
    std::vector<std::string> series;  ///< names; a legend is drawn when there are several
    std::vector<chart_row> rows;
    std::optional<chart_reference> reference;
    std::string row_reference_label;  ///< legend entry of the rows' own reference ticks
};

/// A linear axis over [low, high] with round tick values (steps of 1, 2, 2.5 or 5 × 10^k).
struct axis_scale {
    double low = 0;
    double high = 1;
    double step = 1;
    int decimals = 0;  ///< enough to tell the ticks apart
    std::vector<double> ticks;
};

/// The round axis that covers [low, high] with about `target_ticks` intervals.
[[nodiscard]] axis_scale nice_axis(double low, double high, int target_ticks = 5);

/// The chart as an inline <svg> element: role="img" with <title> and <desc>, x-axis ticks and
/// label, a <g class="mark" data-config data-series data-value> with a <title> per row and series.
[[nodiscard]] std::string render_svg_chart(const horizontal_chart& chart);

/// The CSS of render_svg_chart's classes, light and dark (prefers-color-scheme); the page that
/// holds the charts embeds it once.
[[nodiscard]] std::string_view svg_chart_css();

}  // namespace chimera::core::detail
