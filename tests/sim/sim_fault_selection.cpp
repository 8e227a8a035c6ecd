#include "sim_fault_selection.hpp"

#include <string>

namespace sim {

std::variant<fault_plan, request_error> faults_for(const request& req,
                                                   std::string_view model,
                                                   const sim_config& config) {
    const auto header = req.find("X-Sim-Fault");
    if (header == req.end() && model.starts_with(fault_model_prefix)) {
        if (auto plan = parse_fault_spec(model.substr(fault_model_prefix.size()))) {
            return *plan;
        }
        return request_error{400, "invalid fault model \"" + std::string{model} + "\""};
    }
    if (header == req.end()) {
        return config.faults;
    }
    if (auto plan = parse_fault_spec(header->value())) {
        return *plan;
    }
    return request_error{400, "invalid X-Sim-Fault header \"" + std::string{header->value()} + "\""};
}

}  // namespace sim
