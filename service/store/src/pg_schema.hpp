#pragma once

#include <cstdint>

#include "pg_connection.hpp"

namespace chimera::service {

/// The schema version this build reads and writes.
inline constexpr std::int64_t pg_schema_version = 1;

/// Brings the database's schema up to pg_schema_version, each migration in its own transaction, under a
/// session advisory lock so that replicas starting together apply each once and wait for one another.
/// Throws store_error for a schema newer than this build knows (another build migrated it): reading it
/// could fail on a missing column mid-request, or write rows the newer build misreads.
void apply_pg_migrations(pg_connection& connection);

}  // namespace chimera::service
