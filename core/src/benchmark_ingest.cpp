#include "chimera/core/benchmark_ingest.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "csv_scan.hpp"
#include "json_metric_harvest.hpp"
#include "markdown_scan.hpp"
#include "metric_sink.hpp"
#include "text.hpp"
#include "utf8.hpp"

namespace chimera::core {
namespace {

namespace fs = std::filesystem;

/// Benchmark trees are a few levels deep; the bound keeps the recursion's stack use small.
constexpr int max_directory_depth = 32;

struct named_entry {
    std::string name;
    fs::directory_entry entry;
};

[[nodiscard]] std::optional<file_kind> kind_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;  // ".json" alone is a hidden file
    const auto extension = name.substr(dot + 1);
    const auto is = [extension](std::string_view wanted) {
        return extension.size() == wanted.size() && detail::contains_nocase(extension, wanted);
    };
    if (is("csv")) return file_kind::csv;
    if (is("json")) return file_kind::json;
    if (is("md")) return file_kind::markdown;
    return std::nullopt;
}

/// The entries of `dir` sorted by name, so scans (and the first files listed) are reproducible.
[[nodiscard]] std::vector<named_entry> list_sorted(const fs::path& dir, std::error_code& ec) {
    std::vector<named_entry> entries;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        entries.push_back({it->path().filename().string(), *it});
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
}

struct file_closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

/// Reads the file whole into `out`; on failure returns why.
[[nodiscard]] std::optional<std::string> read_file(const fs::path& path, std::uint64_t size, std::string& out) {
    const std::unique_ptr<std::FILE, file_closer> file(std::fopen(path.c_str(), "rb"));
    if (!file) return "cannot open: " + std::generic_category().message(errno);
    out.resize(size);
    out.resize(std::fread(out.data(), 1, out.size(), file.get()));
    if (std::ferror(file.get()) != 0) return "read error: " + std::generic_category().message(errno);
    if (out.size() != size || std::fgetc(file.get()) != EOF) return "file changed while being read";
    return std::nullopt;
}

[[nodiscard]] std::int64_t unix_seconds(fs::file_time_type time) {
    const auto system_time = std::chrono::file_clock::to_sys(time);
    return std::chrono::floor<std::chrono::seconds>(system_time).time_since_epoch().count();
}

class directory_scan {
public:
    directory_scan(const ingest_limits& limits, ingest_result& result)
        : limits_(limits), result_(result), sink_(result.metrics, limits.max_metrics) {}

    void walk(const std::vector<named_entry>& entries, const std::string& rel_dir, int depth) {
        for (const auto& child : entries) {
            if (stopped_) return;
            // Paths are only ever shown (summary, errors, JSON), so a non-UTF-8 name is made printable once here.
            auto name = detail::sanitize_utf8(child.name);
            visit(child, name, rel_dir.empty() ? name : rel_dir + "/" + name, depth);
        }
    }

private:
    void visit(const named_entry& child, std::string_view name, const std::string& rel, int depth) {
        const fs::directory_entry& entry = child.entry;
        std::error_code ec;
        const auto status = entry.symlink_status(ec);
        if (ec) return fail(rel, "cannot stat: " + ec.message());
        // Links are never followed: they could lead out of the data directory or into a cycle.
        if (fs::is_symlink(status)) return;
        if (fs::is_directory(status)) return descend(entry.path(), rel, depth + 1);
        if (!fs::is_regular_file(status)) return;
        const auto kind = kind_of(name);
        if (!kind) return;
        if (seen_ == limits_.max_files) {
            stopped_ = true;
            return fail(rel, "not scanned: the limit is " + std::to_string(limits_.max_files) + " files");
        }
        ++seen_;
        ingest(entry, rel, *kind);
    }

    void descend(const fs::path& dir, const std::string& rel, int depth) {
        if (depth > max_directory_depth) {
            return fail(rel, "not scanned: nested deeper than " + std::to_string(max_directory_depth) + " directories");
        }
        std::error_code ec;
        const auto children = list_sorted(dir, ec);
        if (ec) return fail(rel, "cannot open directory: " + ec.message());
        walk(children, rel, depth);
    }

    void ingest(const fs::directory_entry& entry, std::string rel, file_kind kind) {
        std::error_code ec;
        const std::uint64_t size = entry.file_size(ec);
        if (ec) return fail(rel, "cannot stat: " + ec.message());
        if (size > limits_.max_file_bytes) {
            return fail(rel, "file is " + std::to_string(size) + " bytes, over the limit of " +
                                 std::to_string(limits_.max_file_bytes));
        }
        const auto modified = entry.last_write_time(ec);
        if (ec) return fail(rel, "cannot stat: " + ec.message());
        if (auto error = read_file(entry.path(), size, buffer_)) return fail(rel, std::move(*error));
        sink_.start_file(rel);
        auto scan = parse(kind);
        if (!scan.error.empty()) {
            sink_.discard_file();
            return fail(rel, std::move(scan.error));
        }
        count(std::move(rel), kind, scan, unix_seconds(modified));
    }

    [[nodiscard]] detail::file_scan parse(file_kind kind) {
        if (kind == file_kind::csv) return detail::scan_csv(buffer_, sink_);
        if (kind == file_kind::json) return detail::scan_json(buffer_, sink_);
        return detail::scan_markdown(buffer_);
    }

    void count(std::string rel, file_kind kind, const detail::file_scan& scan, std::int64_t modified) {
        ++result_.files;
        result_.bytes += buffer_.size();
        result_.csv_rows += scan.csv_rows;
        result_.markdown_headings += scan.markdown_headings;
        result_.latest_modified_unix = std::max(result_.latest_modified_unix, modified);
        auto [counter, first_files] = per_kind(kind);
        ++*counter;
        if (first_files->size() < limits_.max_first_files) first_files->push_back(std::move(rel));
    }

    [[nodiscard]] std::pair<std::size_t*, std::vector<std::string>*> per_kind(file_kind kind) {
        if (kind == file_kind::csv) return {&result_.csv_files, &result_.first_csv};
        if (kind == file_kind::json) return {&result_.json_files, &result_.first_json};
        return {&result_.markdown_files, &result_.first_markdown};
    }

    void fail(std::string rel, std::string error) { result_.errors.push_back({std::move(rel), std::move(error)}); }

    const ingest_limits& limits_;
    ingest_result& result_;
    detail::metric_sink sink_;
    std::string buffer_;  ///< reused for every file: one allocation for the whole scan
    std::size_t seen_ = 0;
    bool stopped_ = false;
};

}  // namespace

ingest_result ingest_directory(const std::filesystem::path& root, const ingest_limits& limits) {
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    const auto entries = list_sorted(root, ec);
    if (ec) throw fs::filesystem_error("cannot open the benchmark directory", root, ec);
    ingest_result result;
    directory_scan(limits, result).walk(entries, {}, 0);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace chimera::core
