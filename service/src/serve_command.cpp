#include "serve_command.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "backend_connection_pool.hpp"
#include "backend_monitor.hpp"
#include "data_root.hpp"
#include "health_handlers.hpp"
#include "http_server.hpp"
#include "log.hpp"
#include "run_scheduler.hpp"
#include "run_store.hpp"
#include "runs_handlers.hpp"
#include "service_metrics.hpp"

namespace chimera::service {
namespace asio = boost::asio;

namespace {

std::string data_root_list(const data_root& root) {
    std::string list;
    for (const auto& path : root.paths()) list += (list.empty() ? "" : ", ") + path.string();
    return list;
}

}  // namespace

int run_serve(const serve_config& config) {
    configure_logging(config.log);
    // One io thread owns all service state; blocking file work goes to `blocking`.
    asio::io_context io{1};
    asio::thread_pool blocking{std::max(2U, std::thread::hardware_concurrency())};
    service_metrics metrics;
    run_store store{config.state_dir};
    const data_root root{config.data_roots};
    backend_connection_pool pool{io.get_executor(), config.backend, metrics};
    run_scheduler scheduler{io.get_executor(), store,
                            run_pipeline_services{pool, config.backend, blocking, metrics, config.limits, &root},
                            config.workers, config.queue_capacity};

    router routes;
    runs_resource runs{store, scheduler, root, config.model};
    add_runs_routes(routes, runs);

    boost::system::error_code address_error;
    const auto address = asio::ip::make_address(config.listen_host, address_error);
    if (address_error) {
        throw std::invalid_argument("--listen needs an IP address, not '" + config.listen_host + "'");
    }
    const asio::ip::tcp::endpoint endpoint{address, config.listen_port};
    http_server server{io.get_executor(), endpoint, routes, metrics};
    backend_monitor monitor{io.get_executor(), pool, config.backend, metrics, config.preload_model};
    add_health_routes(routes, monitor, metrics);
    server.start();
    scheduler.start();
    monitor.start();

    const auto bound = server.local_endpoint();
    // The bound address on stdout, flushed: how scripts and tests learn an ephemeral port.
    std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), static_cast<unsigned>(bound.port()));
    std::fflush(stdout);
    spdlog::info("chimera serving on {}:{}, backend {}, data roots {}, {} workers", bound.address().to_string(),
                 bound.port(), config.backend.endpoint.authority(), data_root_list(root), config.workers);

    asio::signal_set signals{io, SIGINT, SIGTERM};
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        spdlog::info("signal {}: stopping; running runs are cancelled, queued runs stay queued", signal);
        server.stop();
        monitor.stop();
        scheduler.stop([&] {
            pool.close_idle();
            io.stop();  // what remains are idle keep-alive sessions of HTTP clients
        });
    });
    io.run();
    blocking.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace chimera::service
