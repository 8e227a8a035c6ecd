#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chimera/core/ingest/confined_directory.hpp"

namespace chimera::core {

enum class file_kind { csv, json, markdown };

struct ingest_error {
    std::string file;  ///< path relative to the ingested root
    std::string error;
};

/// A numeric value harvested from a benchmark file under a key that mentions
/// tok/throughput/latency/ttft/speed (the reference agents' rule).
struct harvested_metric {
    std::string file;
    std::string key;
    double value = 0;
};

/// What one run may read. Over a per-file limit the file is skipped with the reason in
/// `errors`; over a whole-run limit the scan stops and `limit_exceeded` says why.
struct ingest_limits {
    std::size_t max_files = 10'000;                          ///< benchmark files per run (whole run)
    std::uint64_t max_file_bytes = std::uint64_t{16} << 20;  ///< per file
    std::uint64_t max_run_bytes = std::uint64_t{256} << 20;  ///< all files read by a run (whole run)
    std::size_t max_json_depth = 64;                         ///< nested arrays/objects, per file
    std::size_t max_csv_line_bytes = std::size_t{1} << 20;   ///< one CSV record, per file
    std::size_t max_first_files = 5;                         ///< sample file names kept per type
    std::size_t max_metrics = 200;                           ///< harvested metrics kept for the prompt
    std::size_t max_errors = 100;                            ///< error entries kept; all are counted
};

/// What a run keeps of its benchmark files: counts and the few facts the
/// summary and prompts need, never the parsed documents themselves.
struct ingest_result {
    std::size_t files = 0;  ///< files ingested successfully
    std::uint64_t bytes = 0;
    std::size_t csv_files = 0;
    std::size_t json_files = 0;
    std::size_t markdown_files = 0;
    std::vector<std::string> first_csv;  ///< first files per type, relative paths, sorted order
    std::vector<std::string> first_json;
    std::vector<std::string> first_markdown;
    std::int64_t latest_modified_unix = 0;  ///< newest mtime among ingested files, seconds
    std::size_t csv_rows = 0;
    std::size_t csv_ragged_rows = 0;  ///< data rows without the header's field count
    std::size_t markdown_headings = 0;
    std::size_t markdown_tables = 0;
    std::vector<harvested_metric> metrics;
    std::size_t metrics_harvested = 0;          ///< set when `metrics` was cut to the summary's (keep_summary_metrics)
    std::vector<ingest_error> errors;           ///< files skipped or unreadable, the first max_errors
    std::size_t error_count = 0;                ///< all of them
    std::vector<ingest_error> warnings;         ///< files ingested with a remark (ragged rows), the first max_errors
    std::optional<std::string> limit_exceeded;  ///< set when a whole-run limit stopped the scan
    double seconds = 0;
};

/// Scans the tree under `root` (depth first, sorted, deterministic) for .csv, .json and
/// .md files and parses each, `threads` at a time (0: one per hardware thread); the
/// results merge in scan order, so they don't depend on the thread count. Nothing
/// outside `root` is reached: directories are walked by descriptor, links are never
/// followed, and only regular files are opened (without blocking). A file that can't be
/// read or parsed lands in `errors`; it never aborts the scan. Blocking: call it off the
/// I/O threads.
[[nodiscard]] ingest_result ingest_directory(const confined_directory& root,
                                             const ingest_limits& limits = {},
                                             std::size_t threads = 0);

/// The same for a trusted path (a test, `chimera run --data-dir`). Throws
/// std::filesystem::filesystem_error when `root` itself can't be opened as a directory.
[[nodiscard]] ingest_result ingest_directory(const std::filesystem::path& root,
                                             const ingest_limits& limits = {},
                                             std::size_t threads = 0);

}  // namespace chimera::core
