#pragma once

#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "chimera/http/query_string.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

/// `GET /sweeps/{id}`: state, spec, progress and, once every run ended, `results` (the
/// sweep_result JSON; null before). Schema: proto-free-api/schemas/sweep_document.schema.json.
[[nodiscard]] nlohmann::json sweep_document_json(const stored_sweep& sweep, nlohmann::json results);

/// `GET /sweeps?status=&limit=&cursor=`: unknown parameters, an unknown status, a limit
/// outside 1..500 and a cursor we did not issue are errors.
[[nodiscard]] std::variant<sweep_filter, query_error> parse_sweep_filter(std::string_view target);

/// One page of sweep summaries, newest first, with the cursor of the next page (null on
/// the last). Schema: proto-free-api/schemas/sweep_list.schema.json.
[[nodiscard]] nlohmann::json sweep_page_json(sweep_store& store, const sweep_filter& filter);

}  // namespace chimera::service
