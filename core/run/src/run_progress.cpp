#include "chimera/core/run/run_progress.hpp"

#include <algorithm>
#include <cmath>

#include "chimera/core/stats/stat_format.hpp"
#include "chimera/core/text/concat.hpp"
#include "chimera/core/text/terminal_text.hpp"
#include "chimera/core/text/utf8.hpp"

namespace chimera::core {
namespace {

using detail::concat;

/// Labels come from spec files: shown, never interpreted by the terminal.
[[nodiscard]] std::string shown(std::string_view label) {
    return detail::terminal_text(detail::sanitize_utf8(label), detail::line_breaks::show);
}

[[nodiscard]] std::string two_digits(long long value) { return concat(value < 10 ? "0" : "", std::to_string(value)); }

/// " | elapsed 1m05s | ETA 3m15s | last call 98.4 tok/s"
[[nodiscard]] std::string timing(const run_progress& progress) {
    const auto eta = eta_seconds(progress);
    return concat(" | elapsed ", format_duration(progress.elapsed_seconds), " | ETA ",
                  eta ? format_duration(*eta) : std::string{"?"},
                  progress.last_tok_s ? concat(" | last call ", detail::format_fixed(*progress.last_tok_s, 1), " tok/s")
                                      : std::string{},
                  progress.failed > 0 ? concat(" | ", std::to_string(progress.failed), " failed") : std::string{});
}

[[nodiscard]] std::string counter(const run_progress& progress) {
    return concat(std::to_string(progress.done), "/", std::to_string(progress.total));
}

/// The first `columns` code points of `text`.
[[nodiscard]] std::string fit(const std::string& text, std::size_t columns) {
    if (detail::utf8_length(text) <= columns) return text;
    std::size_t bytes = 0;
    for (std::size_t kept = 0; kept < columns && bytes < text.size(); ++kept) {
        do ++bytes;
        while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80);
    }
    return text.substr(0, bytes);
}

}  // namespace

std::optional<double> eta_seconds(const run_progress& progress) {
    if (progress.done >= progress.total) return 0.0;
    if (progress.done == 0) return std::nullopt;
    const auto left = static_cast<double>(progress.total - progress.done);
    const auto pace = progress.ended_at_seconds / static_cast<double>(progress.done);
    const auto into_current = std::max(progress.elapsed_seconds - progress.ended_at_seconds, 0.0);
    return std::max(pace * left - into_current, 0.0);
}

std::string format_duration(double seconds) {
    const auto total = std::llround(std::max(seconds, 0.0));
    const auto hours = total / 3600;
    const auto minutes = total % 3600 / 60;
    if (hours > 0) return concat(std::to_string(hours), "h", two_digits(minutes), "m");
    if (minutes > 0) return concat(std::to_string(minutes), "m", two_digits(total % 60), "s");
    return concat(std::to_string(total), "s");
}

std::string progress_line(const run_progress& progress, std::size_t columns) {
    const auto percent =
        progress.total == 0
            ? 100
            : std::llround(100.0 * static_cast<double>(progress.done) / static_cast<double>(progress.total));
    const auto doing = progress.current.empty() ? std::string{} : concat(" running ", shown(progress.current));
    const auto line = concat("[", counter(progress), " ", std::to_string(percent), "%]", doing, timing(progress));
    return fit(line, columns == 0 ? 0 : columns - 1);  // the last column would wrap on some terminals
}

std::string run_ended_line(const run_progress& progress, std::string_view label, std::string_view status) {
    return concat("run ", counter(progress), " ", shown(label), " ", status, timing(progress));
}

}  // namespace chimera::core
