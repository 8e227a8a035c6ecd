#include "chimera/core/llm/sse_event_decoder.hpp"

namespace chimera::core {

sse_event_decoder::sse_event_decoder(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

void sse_event_decoder::feed(std::string_view bytes, std::vector<sse_event>& out) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c != '\n' && c != '\r') continue;
        const bool lf_after_cr = c == '\n' && after_cr_ && i == start && partial_.empty() && !skipping_;
        after_cr_ = c == '\r';
        if (!lf_after_cr) end_line(bytes.substr(start, i - start), out);
        start = i + 1;
    }
    if (start == bytes.size()) return;
    after_cr_ = false;
    const auto rest = bytes.substr(start);
    if (skipping_) return;
    // A line longer than an event may be is dropped as it arrives, not held whole.
    if (partial_.size() + rest.size() > max_event_bytes_) {
        partial_.clear();
        skipping_ = true;
        pending_.too_large = true;
        return;
    }
    partial_.append(rest);
}

void sse_event_decoder::end_line(std::string_view tail, std::vector<sse_event>& out) {
    if (skipping_) {
        skipping_ = false;  // the overlong line ends here, unread
        return;
    }
    if (partial_.empty()) {
        line(tail, out);
        return;
    }
    partial_.append(tail);
    line(partial_, out);
    partial_.clear();
}

void sse_event_decoder::finish() {
    partial_.clear();
    pending_ = {};
    has_data_ = false;
    after_cr_ = false;
    skipping_ = false;
}

void sse_event_decoder::line(std::string_view text, std::vector<sse_event>& out) {
    if (text.empty()) {
        dispatch(out);
        return;
    }
    if (text.front() == ':') return;  // a comment: servers send them as keep-alive pings
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        field(text, {});
        return;
    }
    auto value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    field(text.substr(0, colon), value);
}

void sse_event_decoder::field(std::string_view name, std::string_view value) {
    if (name == "event") {
        pending_.type = value;
        return;
    }
    const bool error_line = name == "error";  // older llama.cpp: see the header
    if (name != "data" && !error_line) return;
    if (error_line) pending_.type = "error";
    if (pending_.data.size() + value.size() + 1 > max_event_bytes_) {
        pending_.too_large = true;
        return;
    }
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
}

void sse_event_decoder::dispatch(std::vector<sse_event>& out) {
    if (has_data_ || pending_.too_large) {
        if (pending_.too_large) pending_.data.clear();
        out.push_back(std::move(pending_));
    }
    pending_ = {};
    has_data_ = false;
}

}  // namespace chimera::core
