#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "chimera/runs/store_calls.hpp"

namespace chimera::service {

struct serve_config;
class run_store;
class sweep_store;
class run_scheduler;
class replica_event_relay;

/// The run store of `chimera serve`. By default the embedded SQLite store of the state
/// directory, for one process (the directory's lock refuses a second). With --store, a
/// PostgreSQL database that every replica shares: its calls run on a pool of their own, and
/// its notifications wake this replica's workers when work arrives anywhere, stop a run here
/// that a request to another replica cancelled, and carry run events between replicas.
class serve_store {
public:
    /// Opens (and migrates) the store; throws store_error when it cannot.
    explicit serve_store(const serve_config& config);
    ~serve_store();
    serve_store(const serve_store&) = delete;
    serve_store& operator=(const serve_store&) = delete;

    [[nodiscard]] run_store& runs();
    [[nodiscard]] sweep_store& sweeps();
    [[nodiscard]] store_calls calls() const;
    /// Several replicas may use it: running rows may be other processes' live runs.
    [[nodiscard]] bool shared() const;
    /// What the logs say the store is (never a password).
    [[nodiscard]] std::string description() const;

    /// Sends one message to the replicas listening (a shared store only); blocking.
    void notify(const std::string& payload);
    /// Delivers the shared store's notifications to `scheduler` and `relay` on `io`; nothing
    /// for the embedded store.
    void listen(boost::asio::any_io_executor io, run_scheduler& scheduler, replica_event_relay& relay);
    /// Stops listening and waits for the store calls in flight.
    void stop();

private:
    struct parts;
    std::unique_ptr<parts> parts_;
};

}  // namespace chimera::service
