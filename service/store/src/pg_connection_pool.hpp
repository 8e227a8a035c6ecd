#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "pg_connection.hpp"

namespace chimera::service {

/// At most `size` connections, opened when first needed, shared by threads: a caller takes one for the length
/// of its call (`lease`) and waits while all are taken, at most connect_timeout + statement_timeout.
/// A connection the server closed, or one a failure left inside a transaction, is dropped when given back or
/// found so when taken; the next caller gets a fresh one. Thread-safe.
class pg_connection_pool {
public:
    /// Called on every new connection before its first use (the store measures its clock offset there).
    using connect_hook = std::function<void(pg_connection&)>;

    pg_connection_pool(pg_connect_options options,
                       std::chrono::milliseconds statement_timeout,
                       std::size_t size,
                       connect_hook on_connect);

    class lease {
    public:
        lease(pg_connection_pool& pool, std::unique_ptr<pg_connection> connection)
            : pool_(&pool), connection_(std::move(connection)) {}
        ~lease() {
            if (connection_) pool_->give_back(std::move(connection_));
        }
        lease(lease&& other) noexcept = default;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        lease& operator=(lease&&) = delete;

        pg_connection& operator*() const { return *connection_; }
        pg_connection* operator->() const { return connection_.get(); }

    private:
        pg_connection_pool* pool_;
        std::unique_ptr<pg_connection> connection_;
    };

    /// A usable connection: an idle one, else a new one while fewer than `size` are open, else the next given
    /// back. Throws store_error when connecting fails or none is free in time.
    [[nodiscard]] lease acquire();

private:
    void give_back(std::unique_ptr<pg_connection> connection);
    [[nodiscard]] std::unique_ptr<pg_connection> connect();

    const pg_connect_options options_;
    const std::chrono::milliseconds statement_timeout_;
    const std::size_t size_;
    const connect_hook on_connect_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<pg_connection>> idle_;
    std::size_t open_ = 0;  ///< idle, leased, or being connected
};

}  // namespace chimera::service
