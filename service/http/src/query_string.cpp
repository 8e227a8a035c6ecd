#include "chimera/http/query_string.hpp"

#include <optional>

namespace chimera::service {
namespace {

std::optional<int> hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            decoded += ' ';
        } else if (text[i] != '%') {
            decoded += text[i];
        } else {
            if (i + 2 >= text.size()) return std::nullopt;
            const auto high = hex_value(text[i + 1]);
            const auto low = hex_value(text[i + 2]);
            if (!high || !low) return std::nullopt;
            decoded += static_cast<char>(*high * 16 + *low);
            i += 2;
        }
    }
    return decoded;
}

}  // namespace

std::variant<query_params, query_error> parse_query(std::string_view target) {
    query_params params;
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) return params;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        const auto end = rest.find('&');
        const auto pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        auto name = percent_decode(pair.substr(0, equals));
        auto value = percent_decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1));
        if (!name || !value) return query_error{name.value_or(""), "malformed percent-encoding in the query string"};
        if (params.contains(*name)) return query_error{*name, "query parameter given more than once"};
        params.emplace(std::move(*name), std::move(*value));
    }
    return params;
}

}  // namespace chimera::service
