#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "http_client.hpp"
#include "nginx_balancer.hpp"
#include "temp_dir.hpp"

namespace chimera::testing {

/// Several `chimera serve` replicas as an operator runs them behind a load balancer: one
/// ollama-sim, one PostgreSQL database (a fresh one on the test process's real server) that
/// every replica shares with --store, each replica with a state directory of its own, and nginx
/// round-robin in front. Ready when constructed: every replica answered /readyz 200.
class replica_fleet {
public:
    replica_fleet(std::size_t replicas,
                  const std::vector<std::string>& sim_flags,
                  std::vector<std::string> service_flags = {});
    ~replica_fleet();
    replica_fleet(const replica_fleet&) = delete;
    replica_fleet& operator=(const replica_fleet&) = delete;

    /// The balancer's port: any replica may answer.
    [[nodiscard]] unsigned short port() const { return balancer_->port(); }
    [[nodiscard]] unsigned short replica_port(std::size_t index) const;
    [[nodiscard]] unsigned short sim_port() const { return sim_port_; }
    [[nodiscard]] std::size_t size() const { return replicas_.size(); }
    [[nodiscard]] const std::string& store_url() const { return store_url_; }

    /// Which replica a run document's `executed_by` names (host-pid-tag); size() when none.
    [[nodiscard]] std::size_t replica_of(const nlohmann::json& document) const;

    /// kill -9, then the balancer stops sending to it.
    void kill_replica(std::size_t index);

    /// As a rolling update replaces a pod: out of the balancer (Kubernetes removes the endpoint
    /// while the pod's preStop hook waits), SIGTERM (it drains: running runs finish or go back
    /// to the queue), then a new replica with a new state directory in its place, in the
    /// balancer once ready.
    void replace_replica(std::size_t index);

    /// POST /runs through the balancer, expecting 202; the run's id.
    [[nodiscard]] std::string submit(const nlohmann::json& body) const;
    /// Polls GET /runs/{id} through the balancer until the run ended; its document.
    [[nodiscard]] nlohmann::json wait_finished(const std::string& id) const;
    [[nodiscard]] nlohmann::json sim_stats() const;

private:
    struct replica {
        test_support::temp_dir state;
        std::unique_ptr<child_process> process;
        unsigned short port = 0;
        pid_t pid = -1;  ///< kept after the process is gone: its runs still name it
        bool alive = true;
    };

    void start_replica(replica& member);
    [[nodiscard]] std::vector<unsigned short> live_ports() const;

    std::string store_url_;
    child_process sim_;
    unsigned short sim_port_;
    std::vector<std::string> service_flags_;
    std::vector<std::unique_ptr<replica>> replicas_;
    std::unique_ptr<nginx_balancer> balancer_;
};

}  // namespace chimera::testing
