#include "query_params.hpp"

namespace chimera::service {
namespace {

[[nodiscard]] int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// A malformed escape ("%zz", a trailing "%") is kept as it is: the value then matches
/// nothing the handler expects, and the client learns that from its 400.
[[nodiscard]] std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool escape = text[i] == '%' && i + 2 < text.size();
        const int high = escape ? hex_value(text[i + 1]) : -1;
        const int low = escape ? hex_value(text[i + 2]) : -1;
        if (high >= 0 && low >= 0) {
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) {
        return std::nullopt;
    }
    auto query = target.substr(question + 1);
    query = query.substr(0, query.find('#'));
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto equals = pair.find('=');
        if (percent_decode(pair.substr(0, equals)) == name) {
            return equals == std::string_view::npos ? std::string{} : percent_decode(pair.substr(equals + 1));
        }
    }
    return std::nullopt;
}

}  // namespace chimera::service
