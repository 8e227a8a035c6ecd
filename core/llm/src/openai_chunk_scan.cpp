#include <optional>
#include <string>

#include "json_cursor.hpp"
#include "openai_chunk_decode.hpp"

namespace chimera::core::detail {
namespace {

/// How deep a member nobody reads may nest (vLLM's `logprobs`, tool calls): deeper ones go
/// to nlohmann.
constexpr int unread_nesting = 8;

/// One chunk's members, read in one pass; every method returns false as soon as the chunk
/// leaves the shape it understands.
class chunk_scanner {
public:
    explicit chunk_scanner(std::string_view data) : cursor_(data) {}

    [[nodiscard]] bool scan() {
        cursor_.skip_space();
        return cursor_.object_of_plain_keys([this](std::string_view key) { return chunk_member(key); }) &&
               cursor_.at_end() && saw_choices_ && cursor_.valid_utf8();
    }

    /// What the chunk adds to the text, as decode_chunk_dom's chunk_text picks it: the
    /// delta's content when there is a delta object, else the completions' text.
    [[nodiscard]] std::optional<std::string>& text() { return saw_delta_ ? content_ : plain_text_; }

    [[nodiscard]] std::optional<std::string>& finish_reason() { return finish_reason_; }

private:
    [[nodiscard]] bool chunk_member(std::string_view key) {
        if (key == "choices") return once(saw_choices_) && choices();
        if (key == "usage") return once(saw_usage_) && cursor_.take("null");
        if (key == "error" || key == "timings") return false;
        return cursor_.value(unread_nesting);
    }

    /// The first choice is the one read; the rest are only checked.
    [[nodiscard]] bool choices() {
        if (!cursor_.take('[')) return false;
        cursor_.skip_space();
        if (!cursor_.object_of_plain_keys([this](std::string_view key) { return choice_member(key); })) return false;
        cursor_.skip_space();
        while (cursor_.take(',')) {
            cursor_.skip_space();
            if (!cursor_.value(unread_nesting)) return false;
            cursor_.skip_space();
        }
        return cursor_.take(']');
    }

    [[nodiscard]] bool choice_member(std::string_view key) {
        if (key == "delta") {
            return once(saw_delta_) &&
                   cursor_.object_of_plain_keys([this](std::string_view name) { return delta_member(name); });
        }
        if (key == "text") return once(saw_plain_text_) && string_or_null(plain_text_);
        if (key == "finish_reason") return once(saw_finish_reason_) && string_or_null(finish_reason_);
        return cursor_.value(unread_nesting);
    }

    [[nodiscard]] bool delta_member(std::string_view key) {
        if (key == "content") return once(saw_content_) && string_or_null(content_);
        return cursor_.value(unread_nesting);
    }

    [[nodiscard]] bool string_or_null(std::optional<std::string>& out) {
        if (cursor_.take("null")) return true;
        return cursor_.take('"') && cursor_.string_body(&out.emplace());
    }

    json_cursor cursor_;
    std::optional<std::string> content_;
    std::optional<std::string> plain_text_;
    std::optional<std::string> finish_reason_;
    bool saw_choices_ = false;
    bool saw_usage_ = false;
    bool saw_delta_ = false;
    bool saw_plain_text_ = false;
    bool saw_finish_reason_ = false;
    bool saw_content_ = false;
};

}  // namespace

bool scan_chunk(std::string_view data, generation_stats& stats, std::vector<stream_event>& out) {
    chunk_scanner scanner{data};
    if (!scanner.scan()) return false;
    if (auto& text = scanner.text()) out.emplace_back(token_event{std::move(*text)});
    if (auto& reason = scanner.finish_reason()) stats.done_reason = std::move(*reason);
    return true;
}

}  // namespace chimera::core::detail
