#pragma once

#include <chrono>

#include "chimera/http/http_types.hpp"
#include "chimera/runs/run_scheduler.hpp"

namespace chimera::service {

/// The answer to a submission the scheduler refused for load: 429 with `Retry-After`
/// when the queue is full, 503 while the service drains. Same for runs and sweeps.
[[nodiscard]] http_response refuse_submission(const http_request& request,
                                              submit_status status,
                                              std::chrono::seconds retry_after);

}  // namespace chimera::service
