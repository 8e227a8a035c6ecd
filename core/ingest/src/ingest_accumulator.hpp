#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "file_scan.hpp"

namespace chimera::core::detail {

/// What reading and parsing one file produced, or why it was skipped.
struct file_outcome {
    std::string path;  ///< relative to the ingested root
    file_kind kind = file_kind::csv;
    std::uint64_t bytes_read = 0;  ///< counts toward the run's byte limit even when the file fails to parse
    std::int64_t modified_unix = 0;
    file_scan scan;
    std::vector<harvested_metric> metrics;  ///< at most metric_sink::max_per_file
};

/// Folds file outcomes, in scan order, into an ingest_result under the limits: keeps the
/// first files per type, the first metrics and errors up to their caps, and stops the run
/// at a whole-run limit. Single-threaded.
class ingest_accumulator {
public:
    ingest_accumulator(const ingest_limits& limits, ingest_result& result);

    /// Counts a file about to be read; false, with the limit recorded, for one file too many.
    [[nodiscard]] bool admit_file();

    void add(file_outcome&& outcome);

    /// True once a whole-run limit was exceeded: nothing more should be read.
    [[nodiscard]] bool stopped() const { return result_.limit_exceeded.has_value(); }

private:
    void count(file_outcome&& outcome);
    [[nodiscard]] std::pair<std::size_t*, std::vector<std::string>*> per_kind(file_kind kind);
    void record(std::vector<ingest_error>& list, std::string path, std::string text) const;

    const ingest_limits& limits_;
    ingest_result& result_;
    std::size_t admitted_ = 0;
    std::uint64_t bytes_read_ = 0;
    bool over_bytes_ = false;  ///< outcomes after the one that crossed the byte limit are dropped
};

}  // namespace chimera::core::detail
