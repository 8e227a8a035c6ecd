#include "json_metric_harvest.hpp"

#include <array>
#include <charconv>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/core/text/utf8.hpp"

namespace chimera::core::detail {
namespace {

using json = nlohmann::json;

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

/// An open object or array. The key that names a leaf is a slice of the path:
/// an object's current key, or for an array the key it inherited.
struct frame {
    bool array = false;
    std::size_t mark = 0;  ///< path length where the container's children start
    std::size_t next_index = 0;
    std::size_t key_start = 0;
    std::size_t key_length = 0;
};

/// SAX handler: one path buffer grows and shrinks with the nesting, so a file costs
/// no allocation per value. Returning false stops the parse (depth limit, all metrics taken).
class harvester final : public nlohmann::json_sax<json> {
public:
    harvester(metric_sink& sink, std::size_t max_depth) : sink_(sink), max_depth_(max_depth) {}

    [[nodiscard]] const std::string& error() const { return error_; }

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t n) override { return number(static_cast<double>(n)); }
    bool number_unsigned(number_unsigned_t n) override { return number(static_cast<double>(n)); }
    bool number_float(number_float_t n, const string_t&) override { return number(n); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }

    bool start_object(std::size_t) override { return open(false); }
    bool start_array(std::size_t) override { return open(true); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

    bool key(string_t& key) override {
        auto& top = frames_.back();
        path_.resize(top.mark);
        if (!path_.empty()) path_ += '.';
        top.key_start = path_.size();
        top.key_length = key.size();
        path_ += key;
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        // nlohmann quotes the bytes it last read, which may be half a character.
        error_ = sanitize_utf8(e.what());
        return false;
    }

private:
    /// Before any value: inside an array, the path gets the element's index.
    bool value() {
        if (!frames_.empty() && frames_.back().array) {
            auto& top = frames_.back();
            path_.resize(top.mark);
            append_index(path_, top.next_index++);
        }
        return true;
    }

    bool number(double n) {
        value();
        const auto key = leaf_key();
        if (is_metric_key(key)) sink_.add(without_indices(path_), path_, n);
        // Once the file has all the metrics it may keep, the rest is only syntax checking.
        return true;
    }

    bool open(bool array) {
        if (frames_.size() == max_depth_) {
            error_ = "JSON nested deeper than " + std::to_string(max_depth_) + " levels, the depth limit";
            return false;
        }
        value();
        frame next{array, path_.size(), 0, 0, 0};
        if (array && !frames_.empty()) {
            next.key_start = frames_.back().key_start;
            next.key_length = frames_.back().key_length;
        }
        frames_.push_back(next);
        return true;
    }

    bool close() {
        frames_.pop_back();
        return true;
    }

    [[nodiscard]] std::string_view leaf_key() const {
        if (frames_.empty()) return {};
        const auto& top = frames_.back();
        return std::string_view(path_).substr(top.key_start, top.key_length);
    }

    metric_sink& sink_;
    std::size_t max_depth_;
    std::vector<frame> frames_;
    std::string path_;
    std::string error_;
};

}  // namespace

file_scan scan_json(std::string_view text, std::size_t max_depth, metric_sink& sink) {
    file_scan scan;
    harvester handler(sink, max_depth);
    if (!json::sax_parse(text, &handler)) {
        scan.error = handler.error().empty() ? "JSON parse stopped" : handler.error();
    }
    return scan;
}

}  // namespace chimera::core::detail
