#include "chimera/store/pg_notification_listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>

#include "chimera/store/run_store.hpp"
#include "libpq_api.hpp"
#include "pg_connection.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;
using connection_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

constexpr auto first_backoff = 100ms;
constexpr auto max_backoff = 10s;
constexpr auto connect_timeout = 5s;

enum class wait_result { ready, stopped, timed_out };

/// Waits for `events` on `fd` (none when fd < 0) or for the wake-up fd, at most `timeout` (forever when < 0).
wait_result wait_for(int fd, short events, int wake_fd, std::chrono::milliseconds timeout) {
    std::array<pollfd, 2> fds{pollfd{wake_fd, POLLIN, 0}, pollfd{fd, events, 0}};
    const nfds_t count = fd >= 0 ? 2 : 1;
    int ready = 0;
    do {
        ready = ::poll(fds.data(), count, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) throw store_error(std::string{"pg_notification_listener: poll: "}.append(std::strerror(errno)));
    if (fds[0].revents != 0) return wait_result::stopped;
    return ready == 0 ? wait_result::timed_out : wait_result::ready;
}

/// Connects without blocking past a stop: PQconnectPoll, waiting on the socket and the wake-up fd. Null when
/// stopped or when the attempt failed.
connection_ptr connect(const std::string& conninfo, const std::string& password, int wake_fd) {
    connection_ptr connection{pg_start_connect({conninfo, connect_timeout, "chimera-listener", password}, true),
                              libpq().PQfinish};
    auto polling = PGRES_POLLING_WRITING;
    const auto deadline = std::chrono::steady_clock::now() + connect_timeout;
    while (polling != PGRES_POLLING_OK) {
        if (polling == PGRES_POLLING_FAILED || libpq().PQstatus(connection.get()) == CONNECTION_BAD)
            return {nullptr, libpq().PQfinish};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        const auto waited = wait_for(libpq().PQsocket(connection.get()), events, wake_fd, std::max(left, 0ms));
        if (waited != wait_result::ready) return {nullptr, libpq().PQfinish};
        polling = libpq().PQconnectPoll(connection.get());
    }
    return connection;
}

bool listen_all(PGconn* connection, const std::vector<std::string>& channels) {
    for (const auto& channel : channels) {
        std::unique_ptr<char, decltype(&PQfreemem)> quoted{
            libpq().PQescapeIdentifier(connection, channel.c_str(), channel.size()), libpq().PQfreemem};
        if (!quoted) return false;
        std::string sql = "LISTEN ";
        sql.append(quoted.get());
        std::unique_ptr<PGresult, decltype(&PQclear)> result{libpq().PQexec(connection, sql.c_str()), libpq().PQclear};
        if (libpq().PQresultStatus(result.get()) != PGRES_COMMAND_OK) return false;
    }
    return true;
}

}  // namespace

pg_notification_listener::pg_notification_listener(std::string conninfo,
                                                   std::vector<std::string> channels,
                                                   handler on_notification,
                                                   std::function<void()> on_connected,
                                                   std::string password)
    : conninfo_(std::move(conninfo)),
      password_(std::move(password)),
      channels_(std::move(channels)),
      on_notification_(std::move(on_notification)),
      on_connected_(std::move(on_connected)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ < 0) {
        throw store_error(std::string{"pg_notification_listener: eventfd: "}.append(std::strerror(errno)));
    }
    thread_ = std::jthread{[this](const std::stop_token& stop) { run(stop); }};
}

pg_notification_listener::~pg_notification_listener() {
    thread_.request_stop();
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(wake_fd_);
}

bool pg_notification_listener::connected() const { return connected_.load(); }

void pg_notification_listener::run(const std::stop_token& stop) {
    std::minstd_rand random{std::random_device{}()};
    auto backoff = std::chrono::milliseconds{first_backoff};
    while (!stop.stop_requested()) {
        auto connection = connect(conninfo_, password_, wake_fd_);
        if (connection && listen_all(connection.get(), channels_)) {
            backoff = first_backoff;
            connected_ = true;
            if (on_connected_) on_connected_();
            // Until the server or the network drops the connection, or the owner stops.
            while (wait_for(libpq().PQsocket(connection.get()), POLLIN, wake_fd_, -1ms) == wait_result::ready &&
                   libpq().PQconsumeInput(connection.get()) == 1) {
                while (PGnotify* note = libpq().PQnotifies(connection.get())) {
                    std::unique_ptr<PGnotify, decltype(&PQfreemem)> owned{note, libpq().PQfreemem};
                    if (on_notification_) on_notification_(note->relname, note->extra);
                }
                if (libpq().PQstatus(connection.get()) != CONNECTION_OK) break;
            }
            connected_ = false;
        }
        if (stop.stop_requested()) break;
        // Half the back-off plus a random half: replicas that lost the database together do not return in step.
        std::uniform_int_distribution<std::int64_t> jitter{0, backoff.count() / 2};
        const auto delay = std::chrono::milliseconds{backoff.count() / 2 + jitter(random)};
        if (wait_for(-1, 0, wake_fd_, delay) == wait_result::stopped) break;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, max_backoff);
    }
}

}  // namespace chimera::service
