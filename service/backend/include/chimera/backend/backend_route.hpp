#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chimera/core/llm/run_options.hpp"

namespace chimera::service {

/// What routing needs to know of a run: the backend it names, else its model, and its options
/// (a backend whose kind cannot take them is no candidate). Borrowed: it must outlive the
/// routing call.
struct backend_route {
    std::string_view backend;  ///< empty: any backend that lists `model`
    std::string_view model;
    const core::run_options* options = nullptr;
    /// Backends this call already failed on before its first token: skipped while others can serve.
    std::vector<std::string> skipped = {};
};

/// Why no backend of the fleet could ever take a run: the request field to blame, and why.
struct route_refusal {
    std::string field;
    std::string detail;
};

}  // namespace chimera::service
