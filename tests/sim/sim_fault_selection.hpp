// Which faults one request gets: its X-Sim-Fault header, else a `fault/<items>` model name, else the flags.
#pragma once

#include <string_view>
#include <variant>

#include "sim_config.hpp"
#include "sim_faults.hpp"
#include "sim_request.hpp"
#include "sim_responses.hpp"

namespace sim {

// A malformed header or fault model is a 400 request_error, reported where the endpoint reports
// its own validation errors.
std::variant<fault_plan, request_error> faults_for(const request& req,
                                                   std::string_view model,
                                                   const sim_config& config);

}  // namespace sim
