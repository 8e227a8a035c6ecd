#pragma once

#include <string_view>

namespace chimera::core {

/// How an LLM call ended: the `outcome` label of chimera_llm_requests_total.
enum class llm_outcome { ok, http_error, midstream_error, truncated, timeout, cancelled, connect_error };

[[nodiscard]] constexpr std::string_view to_string(llm_outcome outcome) {
    switch (outcome) {
        case llm_outcome::ok:
            return "ok";
        case llm_outcome::http_error:
            return "http_error";
        case llm_outcome::midstream_error:
            return "midstream_error";
        case llm_outcome::truncated:
            return "truncated";
        case llm_outcome::timeout:
            return "timeout";
        case llm_outcome::cancelled:
            return "cancelled";
        case llm_outcome::connect_error:
            return "connect_error";
    }
    return "unknown";
}

}  // namespace chimera::core
