#include "chimera/core/run/failure_type.hpp"

#include "chimera/core/text/enum_names.hpp"

namespace chimera::core {
namespace {

constexpr enum_names<failure_type, 14> wire_names{{
    {failure_type::backend_unavailable, "backend_unavailable"},
    {failure_type::backend_error, "backend_error"},
    {failure_type::backend_protocol_error, "backend_protocol_error"},
    {failure_type::stream_truncated, "stream_truncated"},
    {failure_type::timeout, "timeout"},
    {failure_type::cancelled, "cancelled"},
    {failure_type::ingest_failed, "ingest_failed"},
    {failure_type::ingest_limit_exceeded, "ingest_limit_exceeded"},
    {failure_type::no_benchmark_files, "no_benchmark_files"},
    {failure_type::attempts_exhausted, "attempts_exhausted"},
    {failure_type::invalid_stored_request, "invalid_stored_request"},
    {failure_type::data_dir_refused, "data_dir_refused"},
    {failure_type::unsupported_options, "unsupported_options"},
    {failure_type::internal_error, "internal_error"},
}};

}  // namespace

std::string_view to_string(failure_type type) { return name_of(wire_names, type); }

std::optional<failure_type> parse_failure_type(std::string_view text) { return value_named(wire_names, text); }

}  // namespace chimera::core
