#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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

struct ingest_limits {
    std::size_t max_files = 10'000;
    std::uint64_t max_file_bytes = std::uint64_t{16} << 20;
    std::size_t max_first_files = 5;  ///< sample file names kept per type
    std::size_t max_metrics = 200;    ///< harvested metrics kept for the prompt
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
    std::size_t markdown_headings = 0;
    std::vector<harvested_metric> metrics;
    std::vector<ingest_error> errors;
    double seconds = 0;
};

/// Scans `root` recursively (sorted, deterministic order) for .csv, .json and .md files
/// and parses each. A file that can't be read or parsed lands in `errors`; it never
/// aborts the scan. Throws std::filesystem::filesystem_error only when `root` itself
/// can't be opened. Blocking: call it off the I/O threads.
[[nodiscard]] ingest_result ingest_directory(const std::filesystem::path& root, const ingest_limits& limits = {});

}  // namespace chimera::core
