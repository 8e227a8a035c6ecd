#pragma once

#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "chimera/http/query_string.hpp"
#include "chimera/store/run_store.hpp"

namespace chimera::service {

/// `GET /runs?status=&label=&model=&limit=&cursor=`: unknown parameters, an unknown
/// status, a limit outside 1..500 and a cursor we did not issue are errors.
[[nodiscard]] std::variant<run_filter, query_error> parse_run_filter(std::string_view target);

/// One page of run summaries, newest first, with the cursor of the next page (null on
/// the last). Schema: proto-free-api/schemas/run_list.schema.json.
[[nodiscard]] nlohmann::json run_page_json(run_store& store, const run_filter& filter);

}  // namespace chimera::service
