#pragma once

#include <stdexcept>
#include <string>

#include "chimera/core/llm/llm_outcome.hpp"

namespace chimera::core {

/// Why a run failed, typed so callers can tell "backend down" from "bad data":
/// `type` is stable and machine-readable (see docs/architecture.md, "Failure
/// vocabulary"), `what()` is a sentence for the user. Failures of an LLM call
/// also say how the call ended and whether repeating it is safe.
class run_failure : public std::runtime_error {
public:
    run_failure(std::string type,
                const std::string& detail,
                llm_outcome outcome = llm_outcome::http_error,
                bool retryable = false)
        : std::runtime_error(detail), type_(std::move(type)), outcome_(outcome), retryable_(retryable) {}

    [[nodiscard]] const std::string& type() const { return type_; }
    [[nodiscard]] llm_outcome outcome() const { return outcome_; }
    /// True only when the backend can't have started on the request: a connect failure,
    /// a 503 "server busy", a connection reset before any response byte.
    [[nodiscard]] bool retryable() const { return retryable_; }

private:
    std::string type_;
    llm_outcome outcome_;
    bool retryable_;
};

}  // namespace chimera::core
