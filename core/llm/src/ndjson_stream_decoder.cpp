#include "chimera/core/llm/ndjson_stream_decoder.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "chimera/core/text/text.hpp"
#include "chimera/core/text/utf8.hpp"
#include "ndjson_line_decode.hpp"

namespace chimera::core {
namespace {

using nlohmann::json;

/// Enough of the offending line to recognise it in a log without copying a 1 MB `context`.
constexpr std::size_t excerpt_bytes = 80;

[[nodiscard]] malformed_event malformed(std::string_view why, std::string_view line) {
    return {std::string(why) + ": " + detail::sanitize_utf8(detail::utf8_prefix(line, excerpt_bytes))};
}

/// Absent fields keep their default; a present field of another type makes the chunk malformed.
[[nodiscard]] bool read_int(const json& chunk, const char* key, std::int64_t& out) {
    const auto it = chunk.find(key);
    if (it == chunk.end()) return true;
    if (it->is_number_unsigned()) {
        const auto value = it->get<std::uint64_t>();
        if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
        out = static_cast<std::int64_t>(value);
        return true;
    }
    if (!it->is_number_integer()) return false;
    out = it->get<std::int64_t>();
    return true;
}

[[nodiscard]] bool read_string(json& chunk, const char* key, std::string& out) {
    const auto it = chunk.find(key);
    if (it == chunk.end()) return true;
    if (!it->is_string()) return false;
    out = std::move(it->get_ref<std::string&>());
    return true;
}

[[nodiscard]] stream_event decode_done(json& chunk, std::string_view line) {
    done_event event;
    generation_stats& stats = event.stats;
    const bool well_typed = read_string(chunk, "done_reason", stats.done_reason) &&
                            read_int(chunk, "total_duration", stats.total_duration_ns) &&
                            read_int(chunk, "load_duration", stats.load_duration_ns) &&
                            read_int(chunk, "prompt_eval_count", stats.prompt_eval_count) &&
                            read_int(chunk, "prompt_eval_duration", stats.prompt_eval_duration_ns) &&
                            read_int(chunk, "eval_count", stats.eval_count) &&
                            read_int(chunk, "eval_duration", stats.eval_duration_ns) &&
                            read_string(chunk, "response", event.response);
    if (!well_typed) return malformed("final chunk has a field of the wrong type", line);
    return event;
}

}  // namespace

stream_event detail::decode_line_dom(std::string_view line) {
    json chunk = json::parse(line, nullptr, false);
    if (chunk.is_discarded()) return malformed("not valid JSON", line);
    if (!chunk.is_object()) return malformed("not a JSON object", line);
    if (const auto error = chunk.find("error"); error != chunk.end()) {
        if (error->is_string()) return error_event{std::move(error->get_ref<std::string&>())};
        return error_event{error->dump()};
    }
    const auto done = chunk.find("done");
    if (done == chunk.end() || !done->is_boolean()) return malformed("no boolean \"done\"", line);
    if (done->get<bool>()) return decode_done(chunk, line);
    const auto response = chunk.find("response");
    if (response == chunk.end() || !response->is_string()) return malformed("no string \"response\"", line);
    return token_event{std::move(response->get_ref<std::string&>())};
}

ndjson_stream_decoder::ndjson_stream_decoder(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void ndjson_stream_decoder::feed(std::string_view bytes, std::vector<stream_event>& out) {
    while (true) {
        const auto newline = bytes.find('\n');
        const auto piece = bytes.substr(0, newline);
        if (!overlong_ && partial_.size() + piece.size() > max_line_bytes_) {
            overlong_ = true;
            std::string().swap(partial_);  // give back what the dropped line had grown to
            out.emplace_back(malformed_event{"line longer than " + std::to_string(max_line_bytes_) + " bytes dropped"});
        }
        if (newline == std::string_view::npos) {
            if (!overlong_) partial_.append(piece);
            return;
        }
        // Only bytes that arrived in this call are searched, and a completed line is decoded
        // in place when nothing of it was buffered, so the total work stays linear in the body.
        if (!overlong_ && partial_.empty()) {
            decode_line(piece, out);
        } else if (!overlong_) {
            partial_.append(piece);
            decode_line(partial_, out);
            partial_.clear();
        }
        overlong_ = false;
        bytes.remove_prefix(newline + 1);
    }
}

void ndjson_stream_decoder::finish(std::vector<stream_event>& out) {
    if (!overlong_ && !partial_.empty()) decode_line(partial_, out);
    partial_.clear();
    overlong_ = false;
}

void ndjson_stream_decoder::decode_line(std::string_view line, std::vector<stream_event>& out) const {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (detail::trim(line).empty()) return;
    if (auto event = detail::scan_line(line)) {
        out.push_back(std::move(*event));
        return;
    }
    out.push_back(detail::decode_line_dom(line));
}

}  // namespace chimera::core
