#pragma once

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chimera::service {

using query_params = std::map<std::string, std::string, std::less<>>;

/// Why a query string was refused, naming the parameter when one is at fault.
struct query_error {
    std::string parameter;
    std::string detail;
};

/// The query of a request target ("/runs?status=failed&label=a%20b"), percent-decoded
/// ('+' is a space). A repeated parameter or a broken escape is an error rather than a
/// guess at what the caller meant.
[[nodiscard]] std::variant<query_params, query_error> parse_query(std::string_view target);

/// A whole parameter value as a decimal integer; nullopt for anything else ("12a", "", "+1").
template <typename Integer>
[[nodiscard]] std::optional<Integer> parse_query_integer(std::string_view text) {
    Integer value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace chimera::service
