#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace chimera::testing {

/// Debian's nginx (/usr/sbin/nginx) as a round-robin load balancer on an ephemeral loopback port
/// before `chimera serve` replicas on 127.0.0.1, configured the way deploy/nginx/nginx.conf is:
/// HTTP/1.1 keep-alive to the upstreams, no response buffering (Server-Sent Events), X-Forwarded-For,
/// and a retry on the next replica after a connection error, a timeout or a 503 for idempotent
/// requests only. Its configuration, logs and temporary files live in a temporary directory.
/// Ready when constructed: a GET /healthz through it was answered 200 by a replica. A missing nginx
/// throws (a test failure, never a skip). Stopped (SIGTERM) when destroyed.
///
/// Every response carries `X-Upstream` (the replica's address, `127.0.0.1:PORT`, or the addresses
/// tried, comma-separated, after a retry) and `X-Balancer-Generation` (1, then one more per reload).
/// One worker process and no failure accounting (`max_fails=0`), so requests follow the rotation
/// exactly: a test can predict which replica a request reaches.
class nginx_balancer {
public:
    explicit nginx_balancer(std::vector<unsigned short> upstream_ports);
    ~nginx_balancer() = default;
    nginx_balancer(const nginx_balancer&) = delete;
    nginx_balancer& operator=(const nginx_balancer&) = delete;

    [[nodiscard]] unsigned short port() const { return port_; }

    /// Balances over `upstream_ports` from now on: rewrites the configuration, has nginx reload it
    /// (SIGHUP) and returns once it is in force: the old worker has stopped accepting connections
    /// and a GET /healthz through the new one was answered 200 by a replica.
    void reload(std::vector<unsigned short> upstream_ports);

    /// nginx's error log so far (start-up, reloads, upstream errors), for failure messages.
    [[nodiscard]] std::string error_log() const;

private:
    [[nodiscard]] std::string config() const;
    void write_config() const;
    void wait_until_serving(const std::vector<pid_t>& old_workers) const;

    test_support::temp_dir dir_;
    std::vector<unsigned short> upstreams_;
    unsigned short port_ = 0;
    unsigned generation_ = 1;
    std::unique_ptr<child_process> nginx_;
};

}  // namespace chimera::testing
