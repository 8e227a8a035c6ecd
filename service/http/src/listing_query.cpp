#include "chimera/http/listing_query.hpp"

namespace chimera::service {
namespace {

constexpr std::size_t max_page_size = 500;

}  // namespace

std::optional<std::string> apply_page_parameter(std::size_t& limit,
                                                std::optional<std::int64_t>& before_seq,
                                                std::string_view name,
                                                const std::string& value) {
    if (name == "limit") {
        const auto parsed = parse_query_integer<std::size_t>(value);
        if (!parsed || *parsed < 1 || *parsed > max_page_size) return "limit must be from 1 to 500";
        limit = *parsed;
        return std::string{};
    }
    if (name == "cursor") {
        before_seq = parse_query_integer<std::int64_t>(value);
        if (!before_seq || *before_seq < 1) return "cursor must be a next_cursor value from an earlier page";
        return std::string{};
    }
    return std::nullopt;
}

}  // namespace chimera::service
