#pragma once

#include <string>

#include "chimera/runs/data_root.hpp"
#include "chimera/runs/store_calls.hpp"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace chimera::service {

class backend_fleet;
class run_store;
class sweep_store;
class run_scheduler;
class store_monitor;

/// What the /runs and /sweeps handlers work on; outlives the router.
struct jobs_resource {
    run_store& runs;
    sweep_store& sweeps;
    run_scheduler& scheduler;
    const data_root& root;
    std::string default_model;             ///< of runs and sweeps that name none
    const backend_fleet& fleet;            ///< a run naming a backend it lacks gets 400
    store_monitor& store_health;           ///< told when a store write fails or succeeds
    boost::asio::thread_pool& parse_pool;  ///< where large request bodies are parsed
    store_calls calls;                     ///< where the handlers' own store reads run
};

}  // namespace chimera::service
