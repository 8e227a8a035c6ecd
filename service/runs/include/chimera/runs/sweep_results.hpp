#pragma once

#include <vector>

#include "chimera/core/sweep/sweep_analysis.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

/// The statistics of a sweep from its runs as stored (in plan order, as
/// sweep_store::sweep_runs returns them): each successful run's per-call metrics, read
/// from its final document, become one observation of its arm (core::make_run_observation);
/// runs that did not succeed contribute nothing. Throws store_error when the stored spec
/// or a run's place in the plan no longer matches this build's expansion.
[[nodiscard]] core::sweep_result sweep_results(const stored_sweep& sweep, const std::vector<stored_run>& runs);

}  // namespace chimera::service
