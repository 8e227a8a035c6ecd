#pragma once

#include <stdexcept>
#include <string>

#include "chimera/core/llm/llm_outcome.hpp"
#include "chimera/core/run/failure_type.hpp"

namespace chimera::core {

/// Whether an LLM call that failed may be sent again: only when the backend can't have started
/// on it (a connect failure, a 503 "server busy", a connection reset before any response byte).
enum class call_retry { safe, unsafe };

/// Why a run failed, typed so callers can tell "backend down" from "bad data": `type()` is
/// stable and machine-readable, `what()` is a sentence for the user. Failures of an LLM call
/// also say how the call ended and whether repeating it is safe. Made by the named
/// constructors, one per way a run can fail.
class run_failure : public std::runtime_error {
public:
    /// No connection, or it broke before the request was sent.
    [[nodiscard]] static run_failure unreachable(const std::string& detail) {
        return {failure_type::backend_unavailable, detail, llm_outcome::connect_error, call_retry::safe};
    }
    /// The connection closed before an answer; safe to retry only if no byte of one arrived.
    [[nodiscard]] static run_failure closed_before_answer(const std::string& detail, call_retry retry) {
        return {failure_type::backend_unavailable, detail, llm_outcome::connect_error, retry};
    }
    /// An HTTP error status: 5xx means the backend is unavailable, 503 ("server busy") that it
    /// never started on the request.
    [[nodiscard]] static run_failure http_status(unsigned status, const std::string& detail) {
        return {status >= 500 ? failure_type::backend_unavailable : failure_type::backend_error, detail,
                llm_outcome::http_error, status == 503 ? call_retry::safe : call_retry::unsafe};
    }
    /// The backend reported an error in the middle of its stream.
    [[nodiscard]] static run_failure midstream_error(const std::string& detail) {
        return {failure_type::backend_error, detail, llm_outcome::midstream_error, call_retry::unsafe};
    }
    /// The backend's reply is not what the protocol says.
    [[nodiscard]] static run_failure protocol_error(const std::string& detail) {
        return {failure_type::backend_protocol_error, detail, llm_outcome::midstream_error, call_retry::unsafe};
    }
    [[nodiscard]] static run_failure truncated(const std::string& detail) {
        return {failure_type::stream_truncated, detail, llm_outcome::truncated, call_retry::unsafe};
    }
    /// A timeout of the call; the detail names which. Connect timeouts are safe to retry.
    [[nodiscard]] static run_failure timed_out(const std::string& detail, call_retry retry) {
        return {failure_type::timeout, detail, llm_outcome::timeout, retry};
    }
    [[nodiscard]] static run_failure cancelled(const std::string& detail) {
        return {failure_type::cancelled, detail, llm_outcome::cancelled, call_retry::unsafe};
    }
    /// A failure outside the LLM calls (ingest, limits, internal errors).
    [[nodiscard]] static run_failure of_run(failure_type type, const std::string& detail) {
        return {type, detail, llm_outcome::http_error, call_retry::unsafe};
    }

    /// The same failure with more said, no longer retryable: what the last of several attempts reports.
    [[nodiscard]] run_failure final_after(const std::string& more) const {
        return {type_, what() + more, outcome_, call_retry::unsafe};
    }

    [[nodiscard]] failure_type type() const { return type_; }
    [[nodiscard]] llm_outcome outcome() const { return outcome_; }
    [[nodiscard]] bool retryable() const { return retry_ == call_retry::safe; }

private:
    run_failure(failure_type type, const std::string& detail, llm_outcome outcome, call_retry retry)
        : std::runtime_error(detail), type_(type), outcome_(outcome), retry_(retry) {}

    failure_type type_;
    llm_outcome outcome_;
    call_retry retry_;
};

}  // namespace chimera::core
