#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "chimera/asio/awaitable.hpp"
#include "chimera/backend/backend_settings.hpp"

namespace chimera::service {

class service_metrics;

using backend_connection = std::unique_ptr<boost::beast::tcp_stream>;

struct acquired_connection {
    backend_connection connection;
    bool reused = false;  ///< it served requests before, so the backend may have closed it while idle
};

/// Keep-alive connections to one backend. A caller takes a connection with
/// acquire(), owns it for as long as it likes (a run keeps one for both of its
/// calls) and hands it back with release() when the last response was read whole.
/// Not thread-safe: use from the executor's thread only.
class backend_connection_pool {
public:
    backend_connection_pool(boost::asio::any_io_executor executor,
                            const backend_settings& settings,
                            service_metrics& metrics);

    /// An idle connection if there is one, else a new one. Throws core::run_failure
    /// (backend_unavailable / timeout) when the backend can't be reached.
    awaitable<acquired_connection> acquire();

    /// A fresh connection, never a pooled one.
    awaitable<backend_connection> connect();

    /// Keeps the connection for reuse while fewer than pool_size are idle.
    void release(backend_connection connection);

    /// Closes every idle connection (shutdown).
    void close_idle();

    [[nodiscard]] std::size_t idle_count() const { return idle_.size(); }

private:
    boost::asio::any_io_executor executor_;
    const backend_settings& settings_;
    service_metrics& metrics_;
    std::vector<backend_connection> idle_;
};

}  // namespace chimera::service
