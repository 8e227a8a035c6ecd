#pragma once

#include <stdexcept>
#include <string>

namespace chimera::service {

/// Why a run failed, typed so callers can tell "backend down" from "bad data":
/// `type` is stable and machine-readable (backend_unavailable, backend_error,
/// backend_protocol_error, stream_truncated, timeout, ingest_failed, no_benchmark_files),
/// `what()` is a sentence for the user.
class run_failure : public std::runtime_error {
public:
    run_failure(std::string type, const std::string& detail) : std::runtime_error(detail), type_(std::move(type)) {}

    [[nodiscard]] const std::string& type() const { return type_; }

private:
    std::string type_;
};

}  // namespace chimera::service
