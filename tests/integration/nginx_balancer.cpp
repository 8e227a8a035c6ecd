#include "nginx_balancer.hpp"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "http_client.hpp"

namespace chimera::testing {

using namespace std::chrono_literals;

namespace {

constexpr const char* nginx_binary = "/usr/sbin/nginx";

/// A loopback port nothing listens on now. nginx cannot bind port 0 and tell us the port, so
/// the port is chosen here; another process may take it before nginx binds it, in which case
/// the constructor starts nginx again on another.
unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

/// nginx's `user` directive: as root its workers would switch to `nobody`, which cannot enter the
/// test's private (0700) directory; naming root's own user keeps them where the master is. As any
/// other user nginx cannot switch and warns about the directive, so it is left out.
std::string user_directive() {
    if (::geteuid() != 0) {
        return {};
    }
    const passwd* user = ::getpwuid(0);
    const group* user_group = ::getgrgid(0);
    if (user == nullptr || user_group == nullptr) {
        throw std::runtime_error("running as root, but uid or gid 0 has no name for nginx's user directive");
    }
    std::string line{"user "};
    line.append(user->pw_name).append(" ").append(user_group->gr_name).append(";\n");
    return line;
}

/// The children of `parent` that nginx titled as workers ("nginx: worker process").
std::vector<pid_t> worker_processes(pid_t parent) {
    std::vector<pid_t> workers;
    for (const auto& entry : std::filesystem::directory_iterator{"/proc"}) {
        const auto name = entry.path().filename().string();
        if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        // /proc/PID/stat: "PID (comm) STATE PPID …"; comm may hold spaces and parentheses.
        const auto stat = test_support::read_text(entry.path() / "stat");
        const auto comm_end = stat.rfind(')');
        if (comm_end == std::string::npos || comm_end + 4 >= stat.size()) continue;
        const auto ppid = std::strtol(stat.c_str() + comm_end + 4, nullptr, 10);
        if (ppid == parent &&
            test_support::read_text(entry.path() / "cmdline").find("worker process") != std::string::npos) {
            workers.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return workers;
}

/// Whether an old worker has stopped accepting connections: nginx retitles a worker told to quit
/// "worker process is shutting down" right before it closes its listening sockets, and keeps it
/// until its open connections (an event stream, say) end; or it has exited already.
bool stopped_accepting(pid_t worker) {
    const auto cmdline = test_support::read_text(std::filesystem::path{"/proc"} / std::to_string(worker) / "cmdline");
    return cmdline.empty() || cmdline.find("shutting down") != std::string::npos;
}

}  // namespace

nginx_balancer::nginx_balancer(std::vector<unsigned short> upstream_ports) : upstreams_(std::move(upstream_ports)) {
    if (::access(nginx_binary, X_OK) != 0) {
        throw std::runtime_error(
            "nginx is not installed (no executable /usr/sbin/nginx); the load-balancer tests need it: "
            "scripts/install-deps.sh installs Debian's nginx package");
    }
    // A few attempts, for the case where another process takes the chosen port before nginx binds it.
    for (int attempt = 1;; ++attempt) {
        port_ = free_port();
        write_config();
        const auto dir = dir_.path();
        nginx_ = std::make_unique<child_process>(
            std::vector<std::string>{nginx_binary, "-p", dir.string(), "-e", (dir / "error.log").string(), "-c",
                                     (dir / "nginx.conf").string()},
            dir / "stderr.log");
        note_server(port_, "nginx");
        try {
            wait_until_serving({});
            return;
        } catch (const std::runtime_error&) {
            const bool port_taken = error_log().find("Address already in use") != std::string::npos;
            if (!port_taken || attempt == 3) throw;
            nginx_.reset();
        }
    }
}

std::string nginx_balancer::config() const {
    if (upstreams_.empty()) {
        throw std::invalid_argument("nginx_balancer needs at least one upstream port");
    }
    const auto dir = dir_.path().string();
    std::string conf;
    conf.append("# Written by tests/integration/nginx_balancer.cpp, generation ")
        .append(std::to_string(generation_))
        .append(".\n");
    conf.append("daemon off;\nmaster_process on;\n");
    // One worker: one round-robin state, so the rotation is exact.
    conf.append("worker_processes 1;\n").append(user_directive());
    conf.append("pid ").append(dir).append("/nginx.pid;\n");
    conf.append("lock_file ").append(dir).append("/nginx.lock;\n");
    conf.append("error_log ").append(dir).append("/error.log notice;\n");
    conf.append("events { worker_connections 1024; }\n");
    conf.append("http {\n");
    conf.append(
        "    log_format balancer '$remote_addr \"$request\" $status upstream=$upstream_addr "
        "upstream_status=$upstream_status request_id=$http_x_request_id';\n");
    conf.append("    access_log ").append(dir).append("/access.log balancer;\n");
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
        conf.append("    ").append(temp).append("_temp_path ").append(dir).append("/tmp_").append(temp).append(";\n");
    }
    conf.append("    upstream replicas {\n");
    for (const auto upstream : upstreams_) {
        // max_fails=0: a replica that failed is not benched for fail_timeout, so the rotation
        // stays predictable (deploy/nginx/nginx.conf keeps nginx's default there).
        conf.append("        server 127.0.0.1:").append(std::to_string(upstream)).append(" max_fails=0;\n");
    }
    conf.append("        keepalive 16;\n    }\n");
    conf.append("    server {\n");
    conf.append("        listen 127.0.0.1:").append(std::to_string(port_)).append(";\n");
    conf.append("        location / {\n");
    conf.append("            proxy_pass http://replicas;\n");
    // HTTP/1.1 with an empty Connection header: upstream connections are kept alive.
    conf.append("            proxy_http_version 1.1;\n");
    conf.append("            proxy_set_header Connection \"\";\n");
    conf.append("            proxy_set_header Host $host;\n");
    conf.append("            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n");
    // Events are passed on as they arrive, and a quiet stream is not cut.
    conf.append("            proxy_buffering off;\n");
    conf.append("            proxy_read_timeout 1h;\n");
    conf.append("            proxy_connect_timeout 2s;\n");
    // No non_idempotent: a POST that reached a replica is never sent to a second one.
    conf.append("            proxy_next_upstream error timeout http_503;\n");
    conf.append("            add_header X-Upstream $upstream_addr always;\n");
    conf.append("            add_header X-Balancer-Generation ")
        .append(std::to_string(generation_))
        .append(" always;\n");
    conf.append("        }\n    }\n}\n");
    return conf;
}

void nginx_balancer::write_config() const { dir_.write("nginx.conf", config()); }

void nginx_balancer::wait_until_serving(const std::vector<pid_t>& old_workers) const {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    const auto expected_generation = std::to_string(generation_);
    std::string last;
    for (;;) {
        if (nginx_->wait_for_exit(1ms) >= 0) {
            std::string message{"nginx exited; its error log:\n"};
            throw std::runtime_error(message.append(error_log()));
        }
        const bool old_ones_quiet = std::all_of(old_workers.begin(), old_workers.end(), stopped_accepting);
        if (old_ones_quiet) {
            try {
                const auto reply = http_request(port_, "GET", "/healthz", {}, {}, 2s);
                const auto generation = reply.headers.find("x-balancer-generation");
                if (reply.status == 200 && generation != reply.headers.end() &&
                    generation->second == expected_generation) {
                    return;
                }
                last = "status ";
                last.append(std::to_string(reply.status));
            } catch (const std::exception& e) {
                last = e.what();  // not listening yet
            }
        }
        if (std::chrono::steady_clock::now() > deadline) {
            std::string message{"nginx on port "};
            message.append(std::to_string(port_))
                .append(" did not serve configuration ")
                .append(expected_generation)
                .append(" in 20 s (last: ")
                .append(last)
                .append("); its error log:\n")
                .append(error_log());
            throw std::runtime_error(message);
        }
        // Polling interval; what ends the wait is the condition above.
        std::this_thread::sleep_for(5ms);
    }
}

void nginx_balancer::reload(std::vector<unsigned short> upstream_ports) {
    const auto old_workers = worker_processes(nginx_->pid());
    upstreams_ = std::move(upstream_ports);
    ++generation_;
    write_config();
    if (::kill(nginx_->pid(), SIGHUP) != 0) {
        throw std::runtime_error("cannot signal nginx to reload");
    }
    wait_until_serving(old_workers);
}

std::string nginx_balancer::error_log() const {
    std::string log = test_support::read_text(dir_.path() / "stderr.log");
    log.append(test_support::read_text(dir_.path() / "error.log"));
    return log;
}

}  // namespace chimera::testing
