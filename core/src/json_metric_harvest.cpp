#include "json_metric_harvest.hpp"

#include <array>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "utf8.hpp"

namespace chimera::core::detail {
namespace {

// Document order, so "the first values" of a file are the ones a reader sees first.
using json = nlohmann::ordered_json;

/// Deeper documents are not benchmark results; the bound also keeps the recursion safe.
constexpr int max_depth = 64;

/// "a[0].b[12].c" → "a.b.c": all rows of a result array count as one column.
[[nodiscard]] std::string without_indices(std::string_view path) {
    std::string group;
    group.reserve(path.size());
    bool in_index = false;
    for (const char c : path) {
        if (c == '[') in_index = true;
        if (!in_index) group += c;
        if (c == ']') in_index = false;
    }
    return group;
}

void append_index(std::string& path, std::size_t index) {
    std::array<char, 24> digits{};
    const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), index);
    path += '[';
    path.append(digits.data(), result.ptr);
    path += ']';
}

class harvester {
public:
    explicit harvester(metric_sink& sink) : sink_(sink) {}

    /// `key` is the nearest object key above the node, so array elements inherit it.
    /// One path buffer grows and shrinks with the recursion instead of a string per node.
    void walk(const json& node, std::string_view key, int depth) {
        if (depth > max_depth || !sink_.wants_more()) return;
        const std::size_t mark = path_.size();
        if (node.is_object()) {
            for (const auto& [child_key, child] : node.items()) {
                if (!path_.empty()) path_ += '.';
                path_ += child_key;
                walk(child, child_key, depth + 1);
                path_.resize(mark);
            }
        } else if (node.is_array()) {
            std::size_t index = 0;
            for (const auto& child : node) {
                append_index(path_, index++);
                walk(child, key, depth + 1);
                path_.resize(mark);
            }
        } else if (node.is_number() && is_metric_key(key)) {
            sink_.add(without_indices(path_), path_, node.get<double>());
        }
    }

private:
    metric_sink& sink_;
    std::string path_;
};

}  // namespace

file_scan scan_json(std::string_view text, metric_sink& sink) {
    file_scan scan;
    if (text.empty()) {
        scan.error = "empty file";
        return scan;
    }
    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann quotes the bytes it last read, which may be half a character.
        scan.error = sanitize_utf8(e.what());
        return scan;
    }
    harvester(sink).walk(document, {}, 0);
    return scan;
}

}  // namespace chimera::core::detail
