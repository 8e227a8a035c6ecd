#include "chimera/core/run/data_summary.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

#include "chimera/core/run/run_document.hpp"
#include "chimera/core/text/terminal_text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core {
namespace {

/// About 20 tokens a line (paths tokenise poorly): 30 lines keep the whole analysis prompt
/// near the reference agents' 800-1000 tokens.
constexpr std::size_t max_metric_lines = 30;
constexpr std::size_t max_error_lines = 5;
constexpr std::size_t max_error_bytes = 160;

/// Six significant digits: enough to compare configurations, short enough for a prompt.
[[nodiscard]] std::string short_number(double value) {
    std::array<char, 32> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::general, 6);
    return {buffer.data(), result.ptr};
}

/// A name from the data (a file, a key) on one line of the summary: a line break in it could
/// start a line of its own, even close the fence the agent report puts the summary in.
[[nodiscard]] std::string one_line(std::string_view name) {
    return detail::terminal_text(name, detail::line_breaks::show);
}

void append_files(std::string& out,
                  std::string_view label,
                  std::size_t count,
                  std::string_view detail,
                  const std::vector<std::string>& first) {
    out += label;
    out += " files (" + std::to_string(count);
    out += detail;
    out += "):\n";
    for (const auto& file : first) out += "  - " + one_line(file) + "\n";
    if (count > first.size()) out += "  ... and " + std::to_string(count - first.size()) + " more\n";
}

/// A few entries of `list` (which holds the first of `total`), under `heading`.
void append_file_notes(std::string& out,
                       std::string_view heading,
                       const std::vector<ingest_error>& list,
                       std::size_t total) {
    if (total == 0) return;
    out += "\n";
    out += heading;
    out += " (" + std::to_string(total) + "):\n";
    for (std::size_t i = 0; i < list.size() && i < max_error_lines; ++i) {
        out += "  - " + one_line(list[i].file) + ": ";
        out += one_line(detail::utf8_prefix(list[i].error, max_error_bytes));
        out += '\n';
    }
}

/// Indices of the metrics to show, taken round-robin over files so that the first
/// few files can't fill the list; returned in harvest order.
[[nodiscard]] std::vector<std::size_t> pick_metrics(const std::vector<harvested_metric>& metrics) {
    std::vector<std::pair<std::size_t, std::size_t>> per_file;  // [begin, end), metrics of a file are adjacent
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (per_file.empty() || metrics[i].file != metrics[per_file.back().first].file) per_file.emplace_back(i, i);
        per_file.back().second = i + 1;
    }
    std::vector<std::size_t> picked;
    for (std::size_t round = 0; picked.size() < std::min(max_metric_lines, metrics.size()); ++round) {
        for (const auto& [begin, end] : per_file) {
            if (begin + round < end && picked.size() < max_metric_lines) picked.push_back(begin + round);
        }
    }
    std::sort(picked.begin(), picked.end());
    return picked;
}

void append_metrics(std::string& out, const std::vector<harvested_metric>& metrics, std::size_t harvested) {
    if (metrics.empty()) return;
    const auto picked = pick_metrics(metrics);
    out += "\nPerformance metrics (" + std::to_string(picked.size()) + " of " + std::to_string(harvested) +
           " harvested):\n";
    for (const std::size_t i : picked) {
        out += "- " + one_line(metrics[i].file) + ": " + one_line(metrics[i].key) + " = " +
               short_number(metrics[i].value) + "\n";
    }
}

}  // namespace

std::string render_data_summary(const ingest_result& ingest) {
    std::string out;
    out += "Total files analysed: " + std::to_string(ingest.files) + " (" + std::to_string(ingest.bytes) + " bytes)\n";
    if (ingest.files == 0) {
        out += "WARNING: no benchmark files (.csv, .json, .md) could be ingested; there is no data to analyse.\n";
    }
    out += '\n';
    auto csv_detail = ", " + std::to_string(ingest.csv_rows) + " data rows";
    if (ingest.csv_ragged_rows > 0) csv_detail += ", " + std::to_string(ingest.csv_ragged_rows) + " ragged";
    append_files(out, "CSV", ingest.csv_files, csv_detail, ingest.first_csv);
    append_files(out, "JSON", ingest.json_files, "", ingest.first_json);
    append_files(out, "Markdown", ingest.markdown_files,
                 ", " + std::to_string(ingest.markdown_headings) + " headings, " +
                     std::to_string(ingest.markdown_tables) + " tables",
                 ingest.first_markdown);
    if (ingest.files > 0) {
        const auto latest = wall_time(std::chrono::seconds(ingest.latest_modified_unix));
        out += "Latest modified: " + format_rfc3339(latest) + "\n";
    }
    append_file_notes(out, "Files not ingested", ingest.errors, std::max(ingest.error_count, ingest.errors.size()));
    append_file_notes(out, "Files ingested with remarks", ingest.warnings, ingest.warnings.size());
    append_metrics(out, ingest.metrics, std::max(ingest.metrics_harvested, ingest.metrics.size()));
    return out;
}

/// Picking again from what was picked takes all of it (it is at most max_metric_lines,
/// in harvest order): the summary is unchanged.
void keep_summary_metrics(ingest_result& ingest) {
    ingest.metrics_harvested = std::max(ingest.metrics_harvested, ingest.metrics.size());
    std::vector<harvested_metric> shown;
    for (const std::size_t i : pick_metrics(ingest.metrics)) shown.push_back(std::move(ingest.metrics[i]));
    ingest.metrics = std::move(shown);
}

}  // namespace chimera::core
