#include "pg_connection.hpp"

#include <poll.h>

#include <algorithm>
#include <array>

#include "chimera/store/run_store.hpp"
#include "libpq_api.hpp"

namespace chimera::service {
namespace {

/// libpq's connect_timeout is in whole seconds.
std::string timeout_seconds(std::chrono::milliseconds timeout) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(timeout).count();
    return std::to_string(std::max<std::int64_t>(seconds, 1));
}

/// The first line of a statement, enough to say which one failed.
std::string_view first_line(std::string_view sql) {
    const auto start = sql.find_first_not_of(" \n");
    if (start == std::string_view::npos) return {};
    sql.remove_prefix(start);
    return sql.substr(0, std::min(sql.find('\n'), std::size_t{120}));
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

}  // namespace

PGconn* pg_start_connect(const pg_connect_options& options, bool nonblocking) {
    const auto timeout = timeout_seconds(options.connect_timeout);
    // A database that vanished from the network (its node gone, a partition) would otherwise hold a call until
    // the kernel gives up on the connection, many minutes later: unacknowledged data fails it after the connect
    // timeout, and keep-alives find a silent peer within 5 + 3 × 2 s. (A server that still acknowledges but never
    // answers is bounded only by its own statement_timeout.)
    const auto unacknowledged_ms = std::to_string(options.connect_timeout.count());
    // The conninfo is expanded in the place of "dbname": what follows it (the timeout) overrides it, what
    // precedes it is a default it may override.
    // An empty password is no password: libpq ignores empty values, and PGPASSFILE applies.
    const std::array<const char*, 9> keywords{"fallback_application_name",
                                              "tcp_user_timeout",
                                              "keepalives_idle",
                                              "keepalives_interval",
                                              "keepalives_count",
                                              "dbname",
                                              "password",
                                              "connect_timeout",
                                              nullptr};
    const std::array<const char*, 9> values{
        options.application_name.c_str(), unacknowledged_ms.c_str(), "5",    "2", "3", options.conninfo.c_str(),
        options.password.c_str(),         timeout.c_str(),           nullptr};
    PGconn* connection = nonblocking ? libpq().PQconnectStartParams(keywords.data(), values.data(), 1)
                                     : libpq().PQconnectdbParams(keywords.data(), values.data(), 1);
    if (connection == nullptr) throw store_error("cannot connect to PostgreSQL: libpq is out of memory");
    // Notices ("relation already exists, skipping", the server's goodbye to a terminated connection) are not
    // errors; libpq would print them to stderr.
    libpq().PQsetNoticeProcessor(
        connection, [](void*, const char*) {}, nullptr);
    return connection;
}

std::string pg_target(const PGconn* connection) {
    const auto part = [](const char* value) { return std::string{value != nullptr && *value ? value : "?"}; };
    std::string target = part(libpq().PQhost(connection));
    target.append(":").append(part(libpq().PQport(connection))).append("/").append(part(libpq().PQdb(connection)));
    return target;
}

std::string pg_error(const PGconn* connection) { return one_line(libpq().PQerrorMessage(connection)); }

pg_connection::pg_connection(const pg_connect_options& options, std::chrono::milliseconds statement_timeout)
    : connection_(pg_start_connect(options, false)) {
    if (libpq().PQstatus(connection_) != CONNECTION_OK) {
        std::string message = "cannot connect to PostgreSQL at ";
        message.append(pg_target(connection_)).append(": ").append(pg_error(connection_));
        libpq().PQfinish(connection_);
        throw store_error(message);
    }
    // A statement stuck behind a lock (or a server in trouble) fails instead of holding its caller.
    std::string set_timeout = "SET statement_timeout = ";
    set_timeout.append(std::to_string(statement_timeout.count()));
    execute(set_timeout);
}

pg_connection::~pg_connection() { libpq().PQfinish(connection_); }

void pg_connection::fail(std::string_view sql, const PGresult* result) const {
    std::string message = "run store: PostgreSQL at ";
    message.append(pg_target(connection_)).append(" failed ");
    if (const char* state = result != nullptr ? libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr) {
        message.append("(SQLSTATE ").append(state).append(") ");
    }
    message.append("on \"").append(first_line(sql)).append("\": ");
    message.append(result != nullptr ? one_line(libpq().PQresultErrorMessage(result)) : pg_error(connection_));
    if (libpq().PQstatus(connection_) != CONNECTION_OK) message.append(" (connection lost; the next call reconnects)");
    throw store_error(message);
}

pg_result pg_connection::checked(PGresult* result, std::string_view sql) const {
    pg_result owned{result};
    const auto status = result != nullptr ? libpq().PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(sql, result);
    return owned;
}

pg_result pg_connection::execute(std::string_view sql) {
    return checked(libpq().PQexec(connection_, std::string{sql}.c_str()), sql);
}

pg_result pg_connection::query(const std::string& sql, const pg_params& params) {
    auto prepared = prepared_.find(sql);
    if (prepared == prepared_.end()) {
        auto name = std::to_string(prepared_.size());
        name.insert(name.begin(), 's');
        checked(libpq().PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr), sql);
        prepared = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    values.reserve(params.values().size());
    for (const auto& value : params.values()) values.push_back(value ? value->c_str() : nullptr);
    return checked(libpq().PQexecPrepared(connection_, prepared->second.c_str(), static_cast<int>(values.size()),
                                          values.data(), nullptr, nullptr, 0),
                   sql);
}

bool pg_connection::usable() {
    if (libpq().PQstatus(connection_) != CONNECTION_OK) return false;
    // An idle connection has nothing to read: bytes waiting mean the server said something on its own, which
    // for a connection without LISTEN is, but for a rare notice, that it is closing it (pg_terminate_backend,
    // a restart, an idle timeout). Replacing it costs a connect; sending on it would cost the caller an error.
    pollfd socket{libpq().PQsocket(connection_), POLLIN, 0};
    return ::poll(&socket, 1, 0) == 0;
}

bool pg_connection::idle() const { return libpq().PQtransactionStatus(connection_) == PQTRANS_IDLE; }

}  // namespace chimera::service
