#include "pg_connection_pool.hpp"

#include <algorithm>
#include <string>

#include "chimera/store/run_store.hpp"

namespace chimera::service {

pg_connection_pool::pg_connection_pool(pg_connect_options options,
                                       std::chrono::milliseconds statement_timeout,
                                       std::size_t size,
                                       connect_hook on_connect)
    : options_(std::move(options)),
      statement_timeout_(statement_timeout),
      size_(std::max<std::size_t>(size, 1)),
      on_connect_(std::move(on_connect)) {}

pg_connection_pool::lease pg_connection_pool::acquire() {
    // Holders keep a connection for one call, whose statements each end within statement_timeout: a wait this
    // long means the pool is too small for the load, or the database stalls. Say so rather than hang.
    const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout + statement_timeout_;
    std::unique_lock lock{mutex_};
    for (;;) {
        if (!available_.wait_until(lock, deadline, [this] { return !idle_.empty() || open_ < size_; })) {
            std::string message = "run store: no PostgreSQL connection of the pool of ";
            message.append(std::to_string(size_))
                .append(" was free within ")
                .append(std::to_string((options_.connect_timeout + statement_timeout_).count()))
                .append(" ms: more callers at once than connections, or slow statements");
            throw store_error(message);
        }
        if (idle_.empty()) break;
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        if (connection->usable()) return lease{*this, std::move(connection)};
        --open_;  // closed by the server while idle: replaced below or by the next caller
        lock.unlock();
        connection.reset();
        lock.lock();
    }
    ++open_;
    lock.unlock();
    try {
        return lease{*this, connect()};
    } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

std::unique_ptr<pg_connection> pg_connection_pool::connect() {
    auto connection = std::make_unique<pg_connection>(options_, statement_timeout_);
    if (on_connect_) on_connect_(*connection);
    return connection;
}

void pg_connection_pool::give_back(std::unique_ptr<pg_connection> connection) {
    const bool keep = connection->usable() && connection->idle();
    if (!keep) connection.reset();
    std::lock_guard lock{mutex_};
    if (keep) {
        idle_.push_back(std::move(connection));
    } else {
        --open_;
    }
    available_.notify_one();
}

}  // namespace chimera::service
