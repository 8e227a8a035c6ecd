#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/run/run_request.hpp"

namespace chimera::core::detail {

/// An `options` object validated by parse_run_request, so sweeps accept exactly what
/// `POST /runs` accepts (same names, types and ranges) without a second rule set.
/// Errors name the field as parse_run_request does: "options.<name>" or "options".
[[nodiscard]] std::variant<run_options, request_error> parse_options(const nlohmann::json& options);

/// `base` with every option `patch` sets replaced by the patch's value.
[[nodiscard]] run_options overlay(const run_options& base, const run_options& patch);

/// Where an option sorts among the grid axes: the seed's order (num_gpu, num_ctx,
/// temperature, …), then options this table does not know, alphabetically.
[[nodiscard]] std::size_t option_rank(std::string_view option);

/// The short name of an option in a config label: gpu60_ctx256_temp0.6 as in the seed report.
[[nodiscard]] std::string option_label_prefix(std::string_view option);

}  // namespace chimera::core::detail
