#pragma once

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backend_connection_pool.hpp"

namespace chimera::service {

class service_metrics;

/// Probes the backend at start-up and then periodically, so `chimera_backend_up`
/// tells the truth even where nothing polls /readyz. Used on the io thread only.
class backend_monitor {
public:
    backend_monitor(boost::asio::any_io_executor executor,
                    backend_connection_pool& pool,
                    const backend_settings& settings,
                    service_metrics& metrics,
                    std::chrono::seconds interval = std::chrono::seconds{10});

    void start();
    void stop();

private:
    awaitable<void> watch();

    boost::asio::steady_timer timer_;
    backend_connection_pool& pool_;
    const backend_settings& settings_;
    service_metrics& metrics_;
    std::chrono::seconds interval_;
    bool stopped_ = false;
};

}  // namespace chimera::service
