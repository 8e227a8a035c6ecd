#pragma once

#include <chrono>
#include <cstddef>

namespace chimera::service {

/// What one client may cost the server: bounds on a request's size and on how long a
/// connection may hold a slot without making progress.
struct http_server_limits {
    std::size_t max_body_bytes = std::size_t{1} << 20;     ///< more: 413
    std::size_t max_header_bytes = std::size_t{16} << 10;  ///< request line and fields; more: 431
    std::size_t max_header_count = 100;                    ///< fields; more: 431
    /// From a connection's first byte of a request (or its opening) to the end of the
    /// headers: a client dribbling headers (slowloris) loses its connection after this.
    std::chrono::milliseconds header_read_timeout{10'000};
    /// For the whole body, once the headers are in.
    std::chrono::milliseconds body_read_timeout{30'000};
    /// How long a kept-alive client may stay silent between requests; longer than the usual
    /// load-balancer idle timeout (60 s) so the balancer, not we, closes first.
    std::chrono::milliseconds keep_alive_timeout{75'000};
    /// Open client connections; a connection beyond them is accepted and closed at once.
    std::size_t max_connections = 1024;
    /// Open connections from one address (a trusted proxy's are not counted): one client
    /// cannot take every slot. Beyond it, closed at once like the above.
    std::size_t max_connections_per_address = 256;
};

}  // namespace chimera::service
