#pragma once

#include <string>
#include <string_view>

namespace chimera::service {

/// The header that names a request across the services it passes through.
inline constexpr std::string_view request_id_header = "X-Request-Id";

/// Whether a client's X-Request-Id is taken as it is: 1 to 128 characters of letters, digits
/// and `-._:/+=@`, enough for UUIDs, hex ids and trace ids, and safe in logs and headers.
[[nodiscard]] bool acceptable_request_id(std::string_view id);

/// A new request id: 32 random hex digits.
[[nodiscard]] std::string generate_request_id();

/// The client's X-Request-Id when acceptable, else a new one.
[[nodiscard]] std::string request_id_for(std::string_view client_id);

}  // namespace chimera::service
