#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "file_scan.hpp"
#include "metric_sink.hpp"

namespace chimera::core::detail {

/// The kind of a benchmark file by its extension (.csv, .json, .md, any case), or
/// nullopt for every other file, hidden ".json" included.
[[nodiscard]] std::optional<file_kind> kind_of(std::string_view name);

struct parse_limits {
    std::size_t max_json_depth = 64;
    std::size_t max_csv_line_bytes = std::size_t{1} << 20;
};

/// Parses one benchmark file's text: counts, harvested metrics (into `sink`), or the
/// reason it can't be used: empty, not UTF-8 (which binary files never are), a parse error,
/// or over a per-file parse limit.
[[nodiscard]] file_scan scan_benchmark_file(file_kind kind,
                                            std::string_view text,
                                            const parse_limits& limits,
                                            metric_sink& sink);

}  // namespace chimera::core::detail
