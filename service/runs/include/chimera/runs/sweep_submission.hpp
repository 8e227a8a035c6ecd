#pragma once

#include <string>

#include "chimera/core/sweep/sweep_spec.hpp"
#include "chimera/store/sweep_store.hpp"

namespace chimera::service {

/// A sweep as the store queues it: one run per planned run of core::expand_sweep, in
/// its fair order, each an ordinary run request (model, data_dir, the config's options and
/// backend, label `sweep:<id>`) so that a sweep run executes and reads back like any other run.
/// `spec_json` is the canonical POST /sweeps body; `model` the resolved model.
[[nodiscard]] sweep_submission make_sweep_submission(const core::sweep_spec& spec,
                                                     std::string spec_json,
                                                     std::string model,
                                                     core::wall_time created_at);

}  // namespace chimera::service
