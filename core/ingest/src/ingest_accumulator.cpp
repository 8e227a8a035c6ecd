#include "ingest_accumulator.hpp"

#include <algorithm>
#include <utility>

namespace chimera::core::detail {

ingest_accumulator::ingest_accumulator(const ingest_limits& limits, ingest_result& result)
    : limits_(limits), result_(result) {}

bool ingest_accumulator::admit_file() {
    if (admitted_ == limits_.max_files) {
        result_.limit_exceeded = "data_dir holds more than " + std::to_string(limits_.max_files) +
                                 " benchmark files, the per-run file limit";
        return false;
    }
    ++admitted_;
    return true;
}

void ingest_accumulator::add(file_outcome&& outcome) {
    if (over_bytes_) return;
    bytes_read_ += outcome.bytes_read;
    if (bytes_read_ > limits_.max_run_bytes) {
        over_bytes_ = true;
        result_.limit_exceeded = "the benchmark files hold more than " + std::to_string(limits_.max_run_bytes) +
                                 " bytes, the per-run byte limit (reached at " + outcome.path + ")";
        return;
    }
    if (!outcome.scan.error.empty()) {
        ++result_.error_count;
        return record(result_.errors, std::move(outcome.path), std::move(outcome.scan.error));
    }
    count(std::move(outcome));
}

void ingest_accumulator::count(file_outcome&& outcome) {
    const auto& scan = outcome.scan;
    ++result_.files;
    result_.bytes += outcome.bytes_read;
    result_.csv_rows += scan.csv_rows;
    result_.csv_ragged_rows += scan.csv_ragged_rows;
    result_.markdown_headings += scan.markdown_headings;
    result_.markdown_tables += scan.markdown_tables;
    result_.latest_modified_unix = std::max(result_.latest_modified_unix, outcome.modified_unix);
    const std::size_t room = limits_.max_metrics - std::min(limits_.max_metrics, result_.metrics.size());
    const std::size_t taken = std::min(room, outcome.metrics.size());
    std::move(outcome.metrics.begin(), outcome.metrics.begin() + static_cast<std::ptrdiff_t>(taken),
              std::back_inserter(result_.metrics));
    if (!scan.warning.empty()) record(result_.warnings, outcome.path, scan.warning);
    auto [counter, first_files] = per_kind(outcome.kind);
    ++*counter;
    if (first_files->size() < limits_.max_first_files) first_files->push_back(std::move(outcome.path));
}

std::pair<std::size_t*, std::vector<std::string>*> ingest_accumulator::per_kind(file_kind kind) {
    if (kind == file_kind::csv) return {&result_.csv_files, &result_.first_csv};
    if (kind == file_kind::json) return {&result_.json_files, &result_.first_json};
    return {&result_.markdown_files, &result_.first_markdown};
}

void ingest_accumulator::record(std::vector<ingest_error>& list, std::string path, std::string text) const {
    if (list.size() < limits_.max_errors) list.push_back({std::move(path), std::move(text)});
}

}  // namespace chimera::core::detail
