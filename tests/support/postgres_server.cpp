#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <libpq-fe.h>

namespace chimera::test_support {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
constexpr auto start_deadline = 30s;
constexpr auto poll_interval = 20ms;
constexpr int max_start_attempts = 5;

/// The pieces, one after the other (GCC 12 warns about chains of std::string +).
std::string joined(std::initializer_list<std::string_view> pieces) {
    std::string text;
    for (const auto piece : pieces) text.append(piece);
    return text;
}

[[noreturn]] void fail(const std::string& what) {
    std::string message = "postgres_server: ";
    message.append(what);
    throw std::runtime_error(message);
}

[[noreturn]] void fail_errno(const std::string& what) {
    std::string message = what;
    message.append(": ").append(std::strerror(errno));
    fail(message);
}

/// The user the server runs as: itself, or `postgres` for root (initdb and postgres refuse root).
struct server_user {
    std::optional<uid_t> uid;
    gid_t gid = 0;
};

server_user user_to_run_as() {
    if (::geteuid() != 0) return {};
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr) fail("running as root, and there is no `postgres` user to run PostgreSQL as");
    return {postgres->pw_uid, postgres->pw_gid};
}

/// A port nothing listens on now (the kernel's choice for port 0).
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!bound) fail_errno("bind a free port");
    return ntohs(address.sin_port);
}

/// Starts `args` as `user`, its output appended to `log`; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const server_user& user, const std::filesystem::path& log) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid > 0) return pid;
    // The child: only async-signal-safe calls until exec.
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) ::_exit(126);
    if (user.uid && (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(*user.uid) != 0)) {
        ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void chown_to(const std::filesystem::path& path, const server_user& user) {
    if (user.uid && ::chown(path.c_str(), *user.uid, user.gid) != 0) fail_errno(joined({"chown ", path.string()}));
}

using connection_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

void execute(PGconn* connection, const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result{PQexec(connection, sql.c_str()), &PQclear};
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        fail(std::string{sql}.append(": ").append(PQerrorMessage(connection)));
    }
}

/// Whether the server behind `connection` is the one of `data_dir`.
bool serves(PGconn* connection, const std::filesystem::path& data_dir) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result{PQexec(connection, "SHOW data_directory"), &PQclear};
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) return false;
    std::error_code ec;
    return std::filesystem::equivalent(PQgetvalue(result.get(), 0, 0), data_dir, ec);
}

}  // namespace

postgres_server::postgres_server() {
    if (!std::filesystem::exists(bin_dir / "postgres")) {
        fail(joined({"PostgreSQL 15 is not installed (no ", (bin_dir / "postgres").string(),
                     "): scripts/install-deps.sh installs postgresql-15"}));
    }
    const auto user = user_to_run_as();
    auto pattern = (std::filesystem::temp_directory_path() / "chimera_pg_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail_errno("mkdtemp");
    dir_ = pattern;
    // Private to the server's user: the data directory must be, the socket directory may as well.
    std::filesystem::create_directory(dir_ / "socket");
    chown_to(dir_, user);
    chown_to(dir_ / "socket", user);
    const auto log = dir_ / "server.log";
    const int initdb =
        wait_exit(spawn({(bin_dir / "initdb").string(), "--pgdata", (dir_ / "data").string(), "--username", "postgres",
                         "--auth", "trust", "--encoding", "UTF8", "--no-sync", "--no-instructions"},
                        user, log));
    if (initdb != 0) fail(joined({"initdb exited with ", std::to_string(initdb), ":\n", log_tail()}));
    // free_port() only finds a port free now: another test process may take it before postgres binds it.
    for (int attempt = 1;; ++attempt) {
        port_ = free_port();
        if (try_start()) return;
        if (attempt == max_start_attempts) fail(joined({"every port tried was taken:\n", log_tail()}));
    }
}

void postgres_server::start() {
    if (!try_start()) fail(joined({"port ", std::to_string(port_), " was taken while the server was down"}));
}

bool postgres_server::try_start() {
    pid_ = spawn({(bin_dir / "postgres").string(), "-D", (dir_ / "data").string(), "-p", std::to_string(port_), "-k",
                  (dir_ / "socket").string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                  "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"},
                 user_to_run_as(), dir_ / "server.log");
    return wait_until_ready();
}

void postgres_server::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGINT);  // fast shutdown: disconnect the clients, stop
    wait_exit(pid_);
    pid_ = -1;
}

postgres_server::~postgres_server() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string postgres_server::conninfo(const std::string& database) const {
    std::string info = "host=127.0.0.1 port=";
    info.append(std::to_string(port_)).append(" user=postgres dbname=").append(database);
    return info;
}

bool postgres_server::wait_until_ready() {
    const auto deadline = std::chrono::steady_clock::now() + start_deadline;
    const auto info = joined({admin_conninfo(), " connect_timeout=2"});
    for (;;) {
        connection_ptr connection{PQconnectdb(info.c_str()), &PQfinish};
        // A server of another test process on our port answers too, until ours gives up binding it.
        if (PQstatus(connection.get()) == CONNECTION_OK && serves(connection.get(), dir_ / "data")) return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            if (log_tail().find("Address already in use") != std::string::npos) return false;
            fail(joined({"postgres exited while starting:\n", log_tail()}));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            fail(joined({"postgres did not accept connections within 30 s: ", PQerrorMessage(connection.get()), "\n",
                         log_tail()}));
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

std::string postgres_server::create_database() {
    const auto name = joined({"test_", std::to_string(++databases_)});
    connection_ptr admin{PQconnectdb(admin_conninfo().c_str()), &PQfinish};
    if (PQstatus(admin.get()) != CONNECTION_OK) fail(std::string{"connect: "}.append(PQerrorMessage(admin.get())));
    execute(admin.get(), joined({"CREATE DATABASE ", name}));
    return conninfo(name);
}

std::string postgres_server::log_tail() const {
    const auto text = read_file(dir_ / "server.log");
    return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

postgres_server& shared_postgres_server() {
    // Started once: a failure to start is remembered, so every test that needs it fails with the same message
    // at once rather than trying again.
    static std::once_flag once;
    static std::unique_ptr<postgres_server> server;
    static std::string failure;
    std::call_once(once, [] {
        try {
            server = std::make_unique<postgres_server>();
        } catch (const std::exception& e) {
            failure = e.what();
        }
    });
    if (!server) throw std::runtime_error(failure);
    return *server;
}

}  // namespace chimera::test_support
