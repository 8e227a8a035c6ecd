#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <libpq-fe.h>

#include "pg_params.hpp"
#include "pg_result.hpp"

namespace chimera::service {

/// How to reach the database, and what Chimera adds to the caller's conninfo.
struct pg_connect_options {
    std::string conninfo;
    std::chrono::milliseconds connect_timeout{5000};
    /// The name the connection shows in pg_stat_activity, unless the conninfo names one.
    std::string application_name = "chimera";
    /// Overrides the conninfo's (read from a file: a password in the URL would show in ps and the logs).
    std::string password = {};
};

/// Starts connecting (libpq's PQconnectStartParams when `nonblocking`, else connects, blocking up to the
/// timeout). Never null; the caller checks PQstatus and owns the PGconn.
[[nodiscard]] PGconn* pg_start_connect(const pg_connect_options& options, bool nonblocking);

/// "host:port/database" of a connection or a failed attempt, for messages: never the password.
[[nodiscard]] std::string pg_target(const PGconn* connection);

/// libpq's last error on the connection, on one line.
[[nodiscard]] std::string pg_error(const PGconn* connection);

/// One open connection: statements with parameters, prepared on first use and kept (per connection). Failures
/// throw store_error with the statement and the server's message. Not thread-safe: one user at a time (the pool).
class pg_connection {
public:
    /// Connects and sets statement_timeout; throws store_error ("cannot connect to PostgreSQL at …").
    pg_connection(const pg_connect_options& options, std::chrono::milliseconds statement_timeout);
    ~pg_connection();
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;

    /// One or more statements without parameters (BEGIN, COMMIT, migrations).
    pg_result execute(std::string_view sql);
    /// `sql` with $1, $2, … bound to `params`: prepared on this connection the first time.
    pg_result query(const std::string& sql, const pg_params& params);

    /// False when the server closed the connection (seen without sending anything, when idle) or a
    /// statement failed on a broken one: the pool replaces it.
    [[nodiscard]] bool usable();
    /// Whether no transaction is open or aborted on it.
    [[nodiscard]] bool idle() const;

private:
    [[noreturn]] void fail(std::string_view sql, const PGresult* result) const;
    pg_result checked(PGresult* result, std::string_view sql) const;

    PGconn* connection_;
    std::unordered_map<std::string, std::string> prepared_;  ///< SQL → statement name
};

}  // namespace chimera::service
