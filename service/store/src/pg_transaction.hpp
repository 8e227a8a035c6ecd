#pragma once

#include "pg_connection.hpp"

namespace chimera::service {

/// BEGIN … COMMIT on one connection, rolled back when the scope unwinds without commit().
class pg_transaction {
public:
    explicit pg_transaction(pg_connection& connection) : connection_(connection) { connection_.execute("BEGIN"); }
    ~pg_transaction() {
        if (!open_) return;
        try {
            connection_.execute("ROLLBACK");
        } catch (...) {  // NOLINT(bugprone-empty-catch): a connection that cannot roll back is dropped by the pool
        }
    }
    pg_transaction(const pg_transaction&) = delete;
    pg_transaction& operator=(const pg_transaction&) = delete;

    void commit() {
        open_ = false;
        connection_.execute("COMMIT");
    }

private:
    pg_connection& connection_;
    bool open_ = true;
};

}  // namespace chimera::service
