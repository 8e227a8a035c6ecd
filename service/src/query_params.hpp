#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chimera::service {

/// The value of the first `name` parameter in the query of a request target
/// ("/runs/x/report?kind=agent"), percent-decoded ('+' is a space); nothing when absent.
/// A parameter without '=' has the empty value.
[[nodiscard]] std::optional<std::string> query_param(std::string_view target, std::string_view name);

}  // namespace chimera::service
