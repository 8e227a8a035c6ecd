// JSON and timestamps written the way Ollama's Go encoder writes them.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace sim {

// Compact JSON with Go's html-safe escaping (<, >, & as \u003c \u003e \u0026; U+2028/U+2029 escaped)
// and raw UTF-8 otherwise. Invalid UTF-8 becomes U+FFFD, as Go's json.Marshal does.
std::string go_json(const nlohmann::ordered_json& value);

// time.Time marshalling of a UTC time: RFC3339Nano with trailing zeros trimmed,
// e.g. 2026-08-21T10:00:00.1234Z.
std::string rfc3339_nano(std::chrono::system_clock::time_point at);

}  // namespace sim
