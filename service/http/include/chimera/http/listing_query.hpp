#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "chimera/http/query_string.hpp"

namespace chimera::service {

/// `limit` (1–500) and `cursor` (the `next_cursor` of an earlier page) of a newest-first
/// listing. Nothing when `name` is neither; "" when applied; else why the value is refused.
[[nodiscard]] std::optional<std::string> apply_page_parameter(std::size_t& limit,
                                                              std::optional<std::int64_t>& before_seq,
                                                              std::string_view name,
                                                              const std::string& value);

/// A listing's query parsed into `Filter` by `apply(filter, name, value)`, which returns ""
/// when it applied the parameter and otherwise why it refused it.
template <typename Filter, typename Apply>
[[nodiscard]] std::variant<Filter, query_error> parse_listing_query(std::string_view target, Apply apply) {
    auto params = parse_query(target);
    if (auto* error = std::get_if<query_error>(&params)) return std::move(*error);
    Filter filter;
    for (const auto& [name, value] : std::get<query_params>(params)) {
        auto detail = apply(filter, name, value);
        if (!detail.empty()) return query_error{name, std::move(detail)};
    }
    return filter;
}

/// One page: `rows` were fetched with `limit + 1`, so the extra row tells whether another
/// page exists without a second query; the cursor is the last shown row's `seq`.
template <typename Row, typename Render>
[[nodiscard]] nlohmann::json page_json(std::string_view key, std::vector<Row> rows, std::size_t limit, Render render) {
    nlohmann::json next_cursor = nullptr;
    if (rows.size() > limit) {
        rows.resize(limit);
        next_cursor = std::to_string(rows.back().seq);
    }
    auto items = nlohmann::json::array();
    for (const auto& row : rows) items.push_back(render(row));
    return {{key, std::move(items)}, {"next_cursor", std::move(next_cursor)}};
}

}  // namespace chimera::service
