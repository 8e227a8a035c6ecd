#pragma once

#include <string>

namespace chimera::service {

/// A random RFC 4122 version-4 UUID: unguessable, so ids can't be enumerated.
[[nodiscard]] std::string make_run_id();

}  // namespace chimera::service
