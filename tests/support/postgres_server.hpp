#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace chimera::test_support {

/// A real PostgreSQL 15 for the tests of the PostgreSQL store: initdb in a fresh temporary directory, then
/// `postgres` on a free loopback port with a private unix socket directory (fsync off: a test database need
/// not survive a power cut). As root (CI) both run as the `postgres` user, since they refuse root. The
/// constructor returns once the server accepts connections and throws std::runtime_error, with the server's
/// log, when PostgreSQL is missing or does not start: a test needing it fails, it never skips. The
/// destructor stops it (fast shutdown) and removes the directory.
class postgres_server {
public:
    postgres_server();
    ~postgres_server();
    postgres_server(const postgres_server&) = delete;
    postgres_server& operator=(const postgres_server&) = delete;

    /// A conninfo of a new, empty database (tests are isolated by using one each). From one thread at a time.
    [[nodiscard]] std::string create_database();
    /// A conninfo of the `postgres` database, for administration (pg_terminate_backend, …).
    [[nodiscard]] std::string admin_conninfo() const { return conninfo("postgres"); }
    [[nodiscard]] int port() const { return port_; }

    /// Stops the server (fast shutdown: its clients are disconnected), as an outage would.
    void stop();
    /// Starts it again on the same port with the same data; returns once it accepts connections.
    void start();

private:
    [[nodiscard]] std::string conninfo(const std::string& database) const;
    /// Starts postgres on port_; false when the port turned out to be taken, and postgres exited.
    [[nodiscard]] bool try_start();
    [[nodiscard]] bool wait_until_ready();
    [[nodiscard]] std::string log_tail() const;

    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
    int databases_ = 0;
};

/// The one server of this test process, started on first use and stopped at exit.
postgres_server& shared_postgres_server();

}  // namespace chimera::test_support
