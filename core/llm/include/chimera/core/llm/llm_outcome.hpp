#pragma once

#include <string_view>

#include "chimera/core/text/enum_names.hpp"

namespace chimera::core {

/// How an LLM call ended: the `outcome` label of chimera_llm_requests_total.
enum class llm_outcome { ok, http_error, midstream_error, truncated, timeout, cancelled, connect_error };

[[nodiscard]] constexpr std::string_view to_string(llm_outcome outcome) {
    constexpr enum_names<llm_outcome, 7> names{{{llm_outcome::ok, "ok"},
                                                {llm_outcome::http_error, "http_error"},
                                                {llm_outcome::midstream_error, "midstream_error"},
                                                {llm_outcome::truncated, "truncated"},
                                                {llm_outcome::timeout, "timeout"},
                                                {llm_outcome::cancelled, "cancelled"},
                                                {llm_outcome::connect_error, "connect_error"}}};
    return name_of(names, outcome);
}

}  // namespace chimera::core
