#include <array>
#include <cstddef>
#include <cstdint>

#include "json_cursor.hpp"
#include "ndjson_line_decode.hpp"

namespace chimera::core::detail {
namespace {

/// The integer members of the final line, as decode_line_dom reads them.
struct stat_member {
    std::string_view key;
    std::int64_t generation_stats::*field;
};

constexpr std::array<stat_member, 6> stat_members{{
    {"total_duration", &generation_stats::total_duration_ns},
    {"load_duration", &generation_stats::load_duration_ns},
    {"prompt_eval_count", &generation_stats::prompt_eval_count},
    {"prompt_eval_duration", &generation_stats::prompt_eval_duration_ns},
    {"eval_count", &generation_stats::eval_count},
    {"eval_duration", &generation_stats::eval_duration_ns},
}};

/// One line's members, read in one pass. Every method returns false as soon as the line
/// leaves the shape it understands; the caller then gives the line to nlohmann.
class line_scanner {
public:
    explicit line_scanner(std::string_view line) : cursor_(line) {}

    [[nodiscard]] std::optional<stream_event> scan() {
        if (!object() || !cursor_.valid_utf8()) return std::nullopt;
        if (done_) return done_event{std::move(stats_), std::move(response_)};
        if (!saw_response_) return std::nullopt;  // malformed, for nlohmann to word
        return token_event{std::move(response_)};
    }

private:
    /// Without `done` the line is malformed, for nlohmann to word.
    [[nodiscard]] bool object() {
        cursor_.skip_space();
        return cursor_.object_of_plain_keys([this](std::string_view key) { return member(key); }) && cursor_.at_end() &&
               saw_done_;
    }

    /// Members decode_line_dom reads must appear once (nlohmann keeps the last of
    /// duplicates; that is left to it) and with the type it expects.
    [[nodiscard]] bool member(std::string_view key) {
        if (key == "response") return once(saw_response_) && cursor_.take('"') && cursor_.string_body(&response_);
        if (key == "done") return once(saw_done_) && cursor_.boolean(done_);
        if (key == "done_reason") {
            return once(saw_done_reason_) && cursor_.take('"') && cursor_.string_body(&stats_.done_reason);
        }
        if (key == "error") return false;
        for (std::size_t i = 0; i < stat_members.size(); ++i) {
            if (key == stat_members[i].key) {
                return once(saw_stat_[i]) && cursor_.integer(&(stats_.*stat_members[i].field));
            }
        }
        return flat_value();
    }

    /// A member nobody reads (`model`, `created_at`, `context`, …): a string, an integer,
    /// a literal or a flat array of integers (the final line's `context`); only checked.
    [[nodiscard]] bool flat_value() {
        if (cursor_.peek() == '[') return cursor_.integer_array();
        return cursor_.value(0);  // nesting 0: no object, no other array
    }

    json_cursor cursor_;
    std::string response_;
    generation_stats stats_;
    bool done_ = false;
    bool saw_response_ = false;
    bool saw_done_ = false;
    bool saw_done_reason_ = false;
    std::array<bool, stat_members.size()> saw_stat_{};
};

}  // namespace

std::optional<stream_event> scan_line(std::string_view line) { return line_scanner{line}.scan(); }

}  // namespace chimera::core::detail
