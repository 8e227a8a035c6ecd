#include "chimera/core/run/json_body_check.hpp"

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace chimera::core::detail {
namespace {

using json = nlohmann::json;

/// A SAX handler that only follows where it is: the key or element of each open object or array.
class body_checker {
public:
    explicit body_checker(std::size_t max_depth) : max_depth_(max_depth) {}

    bool null() { return value(); }
    bool boolean(bool /*value*/) { return value(); }
    bool number_integer(json::number_integer_t /*value*/) { return value(); }
    bool number_unsigned(json::number_unsigned_t /*value*/) { return value(); }
    bool number_float(json::number_float_t /*value*/, const json::string_t& /*text*/) { return value(); }
    bool string(json::string_t& /*value*/) { return value(); }
    bool binary(json::binary_t& /*value*/) { return value(); }
    bool start_object(std::size_t /*elements*/) { return open(false); }
    bool key(json::string_t& name) {
        auto& object = open_.back();
        object.key = name;
        if (!object.keys.insert(name).second) {
            error_ = request_error{path(false), "is given twice; a key may appear once in an object"};
            return false;
        }
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t /*elements*/) { return open(true); }
    bool end_array() { return close(); }

    bool parse_error(std::size_t /*position*/, const std::string& token, const nlohmann::detail::exception& e) {
        if (e.id == 406) {  // out_of_range: a number that does not fit a double
            error_ = request_error{path(true), "the number " + token + " is out of range"};
        }
        return false;
    }

    [[nodiscard]] const std::optional<request_error>& error() const { return error_; }

private:
    struct level {
        bool array = false;
        std::size_t elements = 0;                 ///< of an array: the elements begun so far
        std::string key;                          ///< of an object: the key of the member being read
        std::set<std::string, std::less<>> keys;  ///< of an object: every key read so far
    };

    /// A value begins in the innermost array: it is that array's next element.
    bool value() {
        if (!open_.empty() && open_.back().array) ++open_.back().elements;
        return true;
    }

    bool open(bool array) {
        value();
        if (open_.size() >= max_depth_) {
            error_ = request_error{path(false), "nested deeper than " + std::to_string(max_depth_) + " levels"};
            return false;
        }
        open_.push_back({array, 0, {}, {}});
        return true;
    }

    bool close() {
        open_.pop_back();
        return true;
    }

    /// "grid.num_ctx[0]"; `pending`: the innermost array's next element, not yet begun.
    [[nodiscard]] std::string path(bool pending) const {
        std::string out;
        for (std::size_t i = 0; i < open_.size(); ++i) {
            const auto& at = open_[i];
            if (at.array) {
                const bool innermost = i + 1 == open_.size();
                const auto index = innermost && pending ? at.elements : at.elements - 1;
                out.append("[").append(std::to_string(index)).append("]");
            } else if (!at.key.empty()) {
                out.append(out.empty() ? "" : ".").append(at.key);
            }
        }
        return out;
    }

    std::size_t max_depth_;
    std::vector<level> open_;
    std::optional<request_error> error_;
};

}  // namespace

std::optional<request_error> check_json_body(std::string_view body, std::size_t max_depth) {
    body_checker checker{max_depth};
    json::sax_parse(body, &checker);
    return checker.error();
}

}  // namespace chimera::core::detail
