#include "chimera/core/ingest/benchmark_ingest.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "benchmark_file.hpp"
#include "confined_tree_walk.hpp"
#include "ingest_accumulator.hpp"
#include "metric_sink.hpp"
#include "ordered_parallel_map.hpp"
#include "regular_file_read.hpp"

namespace chimera::core {
namespace {

/// Benchmark trees are a few levels deep; the bound keeps the recursion's stack use small.
constexpr int max_directory_depth = 32;
/// Files in flight per thread. Each may hold its directory open, so the total is capped
/// well below the usual 1024-descriptor limit.
constexpr std::size_t window_per_thread = 64;
constexpr std::size_t max_window = 256;
/// A worker's read buffer grows to the largest file read; beyond this it is released after use.
constexpr std::size_t kept_buffer_bytes = std::size_t{4} << 20;

struct file_task {
    detail::tree_file file;
    file_kind kind;
};

using file_map = detail::ordered_parallel_map<file_task, detail::file_outcome>;

/// Reads and parses one file; runs on a worker thread with that thread's buffer.
[[nodiscard]] detail::file_outcome process(file_task& task, const ingest_limits& limits, std::string& buffer) {
    detail::file_outcome outcome;
    outcome.path = std::move(task.file.path);
    outcome.kind = task.kind;
    auto read = detail::read_regular_file(task.file.dir->get(), task.file.name, limits.max_file_bytes, buffer);
    task.file.dir.reset();  // the directory may close as soon as its last file is read
    outcome.bytes_read = read.bytes;
    outcome.modified_unix = read.modified_unix;
    if (!read.error.empty()) {
        outcome.scan.error = std::move(read.error);
        return outcome;
    }
    detail::metric_sink sink(outcome.metrics, detail::metric_sink::max_per_file);
    sink.start_file(outcome.path);
    outcome.scan =
        detail::scan_benchmark_file(task.kind, buffer, {limits.max_json_depth, limits.max_csv_line_bytes}, sink);
    if (!outcome.scan.error.empty()) outcome.metrics.clear();  // nothing is kept from a file that failed
    if (buffer.capacity() > kept_buffer_bytes) buffer = std::string();
    return outcome;
}

/// Walks the tree on the calling thread and feeds the files to the map's workers.
class ingest_scan final : public detail::tree_visitor {
public:
    ingest_scan(const ingest_limits& limits, std::size_t threads, ingest_result& result)
        : accumulator_(limits, result),
          map_(threads,
               std::min(max_window, window_per_thread * threads),
               worker_factory(limits),
               [this](detail::file_outcome&& outcome) { accumulator_.add(std::move(outcome)); }) {}

    bool on_file(detail::tree_file file) override {
        if (!accumulator_.admit_file()) return false;
        const auto kind = *detail::kind_of(file.name);
        map_.submit({std::move(file), kind});
        return !accumulator_.stopped();
    }

    bool on_skipped(std::string path, std::string reason) override {
        detail::file_outcome outcome;
        outcome.path = std::move(path);
        outcome.scan.error = std::move(reason);
        map_.submit_result(std::move(outcome));
        return !accumulator_.stopped();
    }

    void finish() { map_.finish(); }

private:
    static std::function<file_map::worker()> worker_factory(const ingest_limits& limits) {
        return [&limits] {
            return [&limits, buffer = std::string()](file_task& task) mutable { return process(task, limits, buffer); };
        };
    }

    detail::ingest_accumulator accumulator_;
    file_map map_;
};

[[nodiscard]] std::size_t thread_count(std::size_t requested) {
    if (requested != 0) return requested;
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

ingest_result ingest_directory(const confined_directory& root, const ingest_limits& limits, std::size_t threads) {
    const auto started = std::chrono::steady_clock::now();
    ingest_result result;
    {
        ingest_scan scan(limits, thread_count(threads), result);
        const detail::walk_options options{max_directory_depth,
                                           [](std::string_view name) { return detail::kind_of(name).has_value(); }};
        detail::walk_confined_tree(root.fd(), options, scan);
        scan.finish();
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

ingest_result ingest_directory(const std::filesystem::path& root, const ingest_limits& limits, std::size_t threads) {
    return ingest_directory(confined_directory::open(root), limits, threads);
}

}  // namespace chimera::core
