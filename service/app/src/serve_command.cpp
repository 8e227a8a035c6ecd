#include "serve_command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "chimera/api/health_handlers.hpp"
#include "chimera/api/run_events_handlers.hpp"
#include "chimera/api/runs_handlers.hpp"
#include "chimera/api/sweeps_handlers.hpp"
#include "chimera/backend/backend_fleet.hpp"
#include "chimera/http/bearer_tokens.hpp"
#include "chimera/http/http_server.hpp"
#include "chimera/http/token_file_permissions.hpp"
#include "chimera/runs/data_root.hpp"
#include "chimera/runs/replica_event_relay.hpp"
#include "chimera/runs/run_artifacts.hpp"
#include "chimera/runs/run_events.hpp"
#include "chimera/runs/run_id.hpp"
#include "chimera/runs/run_scheduler.hpp"
#include "chimera/runs/store_monitor.hpp"
#include "chimera/telemetry/log.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "serve_store.hpp"

namespace chimera::service {
namespace asio = boost::asio;

namespace {

std::string data_root_list(const data_root& root) {
    std::string list;
    for (const auto& path : root.paths()) list += (list.empty() ? "" : ", ") + path.string();
    return list;
}

/// "name (kind) host:port" of each backend, for the start-up line.
std::string backend_list(const std::vector<backend_settings>& backends) {
    std::string list;
    for (const auto& backend : backends) {
        list += (list.empty() ? "" : ", ") + backend.name + " (" + std::string{core::to_string(backend.kind)} + ") " +
                backend.endpoint.authority();
    }
    return list;
}

/// This process as the runs it claims record it: the host names the pod among replicas.
std::string replica_name() {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    return std::string{host.data()} + "-" + std::to_string(::getpid()) + "-" + make_run_id().substr(0, 8);
}

scheduler_settings scheduler_settings_of(const serve_config& config, const serve_store& store, std::string owner) {
    return {config.workers,      config.queue_capacity, config.lease,
            config.max_attempts, std::move(owner),      !store.shared()};
}

/// The relay's view of this replica: how it sends, what executes here, what the store holds.
replica_event_relay::hooks relay_hooks(serve_store& store, run_scheduler& scheduler) {
    return {[&store](const std::string& payload) { store.notify(payload); },
            [&scheduler](std::string_view run_id) { return scheduler.live(run_id) != nullptr; },
            [&scheduler](std::string run_id) { return scheduler.document_text(std::move(run_id)); }};
}

asio::ip::tcp::endpoint endpoint_of(const std::string& host, std::uint16_t port, std::string_view flag) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host, error);
    if (error) {
        throw std::invalid_argument(std::string{flag} + " needs an IP address, not '" + host + "'");
    }
    return {address, port};
}

/// Each connection holds a descriptor: lift the soft limit to the hard one so that
/// --max-connections, not the default soft limit (often 1024), is what refuses clients.
void raise_open_file_limit(std::size_t max_connections) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    // Backend connections, state files and the process's own descriptors need some headroom.
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + 64) {
        spdlog::warn(
            "open file limit {} is below --max-connections {} plus headroom: connections may fail to "
            "be accepted before that limit",
            limit.rlim_cur, max_connections);
    }
}

std::optional<bearer_tokens> load_tokens(const serve_config& config) {
    if (config.auth_token_file.empty()) {
        spdlog::warn("no --auth-token-file: every route is open to anyone who can connect");
        return std::nullopt;
    }
    auto tokens = bearer_tokens::load(config.auth_token_file);
    if (const auto exposure = token_file_exposure(config.auth_token_file)) {
        spdlog::warn("{}", *exposure);
    }
    spdlog::info("bearer authentication on, {} token(s)", tokens.size());
    return tokens;
}

void print_listening(std::string_view what, const asio::ip::tcp::endpoint& bound) {
    // The bound address on stdout, flushed: how scripts and tests learn an ephemeral port.
    std::printf("%.*slistening on %s:%u\n", static_cast<int>(what.size()), what.data(),
                bound.address().to_string().c_str(), static_cast<unsigned>(bound.port()));
    std::fflush(stdout);
}

/// The default model is a label from the start: most runs name none and take it.
std::vector<std::string> metric_models(const serve_config& config) {
    auto models = config.metrics_models;
    models.push_back(config.model);
    return models;
}

}  // namespace

int run_serve(const serve_config& config) {
    configure_logging(config.log);
    raise_open_file_limit(config.http.max_connections);
    const auto tokens = load_tokens(config);
    // One io thread owns all service state; blocking file work goes to `blocking`.
    asio::io_context io{1};
    asio::thread_pool blocking{std::max(2U, std::thread::hardware_concurrency())};
    service_metrics metrics{metric_models(config)};
    serve_store store{config};
    const auto owner = replica_name();
    const run_artifacts artifacts{config.state_dir / "runs"};
    const data_root root{config.data_roots};
    backend_fleet fleet{io.get_executor(), config.backends, metrics, config.preload_model};
    run_events events{io.get_executor()};
    run_scheduler scheduler{io.get_executor(),
                            store.runs(),
                            store.sweeps(),
                            artifacts,
                            run_pipeline_services{fleet, blocking, metrics, config.limits, &root, &events},
                            scheduler_settings_of(config, store, owner),
                            {},
                            store.calls()};
    store_monitor store_health{io.get_executor(), store.runs(), config.state_dir, metrics, store.calls()};
    std::optional<replica_event_relay> relay;
    if (store.shared()) {
        relay.emplace(io.get_executor(), events, store.calls(), owner, relay_hooks(store, scheduler));
        relay->start();
        store.listen(io.get_executor(), scheduler, *relay);
    }

    router routes;
    jobs_resource jobs{store.runs(), store.sweeps(), scheduler, root,         config.model,
                       fleet,        store_health,   blocking,  store.calls()};
    add_runs_routes(routes, jobs);
    add_run_events_route(routes, scheduler, events);
    add_sweeps_routes(routes, jobs);
    const readiness_inputs readiness{fleet, store_health, [&scheduler] { return scheduler.draining(); }};
    add_health_routes(routes, readiness);
    const bool admin_address = !config.admin_host.empty();
    router admin_routes;
    add_health_routes(admin_routes, readiness);
    add_metrics_route(admin_address ? admin_routes : routes, metrics, blocking);

    const http_access_policy access{tokens ? &*tokens : nullptr, {"/healthz", "/readyz"}};
    const trusted_proxies proxies{config.trusted_proxies};
    http_server server{io.get_executor(),
                       endpoint_of(config.listen_host, config.listen_port, "--listen"),
                       routes,
                       metrics,
                       config.http,
                       access,
                       proxies,
                       "api"};
    std::optional<http_server> admin;
    if (admin_address) {
        admin.emplace(io.get_executor(), endpoint_of(config.admin_host, config.admin_port, "--admin-listen"),
                      admin_routes, metrics, config.http, http_access_policy{}, proxies, "admin");
        admin->start();
    }
    server.start();
    scheduler.start();
    fleet.start();
    store_health.start();

    const auto bound = server.local_endpoint();
    print_listening("", bound);
    if (admin) {
        print_listening("admin ", admin->local_endpoint());
    }
    spdlog::info("chimera serving on {}:{}, backends {}, data roots {}, {} workers, store {}",
                 bound.address().to_string(), bound.port(), backend_list(config.backends), data_root_list(root),
                 config.workers, store.description());

    // The first signal drains; a second one (an operator who won't wait) hands the running runs
    // back to the queue at once, and the drain ends as soon as their workers have.
    asio::signal_set signals{io, SIGINT, SIGTERM};
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                               int signal) {
        if (ec) {
            return;
        }
        if (scheduler.draining()) {
            spdlog::info("signal {} during the drain: running runs go back to the queue now", signal);
            scheduler.hand_back_now();
            return;
        }
        signals.async_wait(on_signal);
        spdlog::info("signal {}: draining; running runs may finish within {} ms, queued runs stay queued", signal,
                     config.drain_timeout.count());
        // The listeners stay open through the drain, so the load balancer sees /readyz
        // turn 503 and clients get a 503 for new runs rather than a refused connection.
        scheduler.drain(config.drain_timeout, [&] {
            server.stop();
            if (admin) {
                admin->stop();
            }
            fleet.stop();
            store_health.stop();
            if (relay) relay->stop();
            io.stop();  // what remains are idle keep-alive sessions of HTTP clients
        });
    };
    signals.async_wait(on_signal);
    io.run();
    store.stop();
    blocking.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace chimera::service
