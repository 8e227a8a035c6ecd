#pragma once

#include <optional>
#include <string>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/core/run/run_request.hpp"
#include "chimera/core/sweep/sweep_plan.hpp"

namespace chimera::service {

/// Why `fleet` could never run some arm of the sweep — a backend name it does not have, or
/// options an arm's backend (or, for an arm naming none, every backend) cannot take — as the
/// 400 of POST /runs would say it for that arm's run, but naming the spec's field:
/// `baseline.backend`, `grid.backend[i]`, `grid.<option>[j]`, or `baseline` when the baseline's
/// own options are at fault. Checked at submission so that a sweep is refused whole instead
/// of failing run by run; nullopt when every arm can be routed.
[[nodiscard]] std::optional<core::request_error> sweep_routing_refusal(const backend_fleet& fleet,
                                                                       const core::sweep_spec& spec,
                                                                       const core::sweep_plan& plan,
                                                                       const std::string& model);

}  // namespace chimera::service
