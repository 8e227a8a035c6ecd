#include "probe_command.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace chimera::service {
namespace {

using probe_clock = std::chrono::steady_clock;

/// Why the probe did not see a 200: the rest of its one line of output.
class probe_failure : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

class socket_handle {
public:
    explicit socket_handle(int fd) : fd_(fd) {}
    socket_handle(const socket_handle&) = delete;
    socket_handle& operator=(const socket_handle&) = delete;
    ~socket_handle() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

std::string error_text(int error) { return std::strerror(error); }

/// Waits until `fd` is ready for `events`; throws, naming `stage`, when the deadline passes first.
void wait_for(int fd, short events, probe_clock::time_point deadline, const char* stage) {
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - probe_clock::now()).count();
        pollfd entry{fd, events, 0};
        const int ready = left > 0 ? ::poll(&entry, 1, static_cast<int>(left)) : 0;
        if (ready > 0) return;
        if (ready == 0) throw probe_failure(std::string{"timed out "}.append(stage));
        if (errno != EINTR) throw probe_failure(std::string{"poll: "}.append(error_text(errno)));
    }
}

/// A connected non-blocking socket to the first address of `config` that accepts.
int connect_socket(const probe_config& config, probe_clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int status = ::getaddrinfo(config.host.c_str(), config.port.c_str(), &hints, &found); status != 0) {
        throw probe_failure(
            std::string{"cannot resolve "}.append(config.host).append(": ").append(gai_strerror(status)));
    }
    std::string last_error = "no address";
    for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
        const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last_error = error_text(errno);
            continue;
        }
        int error = ::connect(fd, address->ai_addr, address->ai_addrlen) == 0 ? 0 : errno;
        if (error == EINPROGRESS) {
            try {
                wait_for(fd, POLLOUT, deadline, "connecting");
            } catch (const probe_failure&) {
                ::close(fd);
                ::freeaddrinfo(found);
                throw;
            }
            socklen_t size = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        }
        if (error == 0) {
            ::freeaddrinfo(found);
            return fd;
        }
        ::close(fd);
        last_error = error_text(error);
    }
    ::freeaddrinfo(found);
    throw probe_failure(std::string{"cannot connect: "}.append(last_error));
}

void send_all(int fd, std::string_view bytes, probe_clock::time_point deadline) {
    while (!bytes.empty()) {
        const auto sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_for(fd, POLLOUT, deadline, "sending the request");
        } else if (errno != EINTR) {
            throw probe_failure(std::string{"cannot send the request: "}.append(error_text(errno)));
        }
    }
}

/// The response's first line, without its CRLF; the rest of the response is not read.
std::string read_status_line(int fd, probe_clock::time_point deadline) {
    constexpr std::size_t longest = 1024;
    std::string received;
    char buffer[256];
    for (;;) {
        if (const auto end = received.find("\r\n"); end != std::string::npos) return received.substr(0, end);
        if (received.size() > longest) throw probe_failure("no HTTP status line in the first 1 KiB");
        const auto count = ::recv(fd, buffer, sizeof buffer, 0);
        if (count > 0) {
            received.append(buffer, static_cast<std::size_t>(count));
        } else if (count == 0) {
            throw probe_failure("connection closed before a status line");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_for(fd, POLLIN, deadline, "waiting for the response");
        } else if (errno != EINTR) {
            throw probe_failure(std::string{"cannot read the response: "}.append(error_text(errno)));
        }
    }
}

/// "host:port", an IPv6 host in brackets.
std::string authority_of(const probe_config& config) {
    const bool v6 = config.host.find(':') != std::string::npos;
    std::string authority = v6 ? "[" : "";
    return authority.append(config.host).append(v6 ? "]:" : ":").append(config.port);
}

std::string request_for(const probe_config& config) {
    std::string request = "GET ";
    request.append(config.target).append(" HTTP/1.1\r\nHost: ").append(authority_of(config));
    request.append("\r\nUser-Agent: chimera-probe\r\nConnection: close\r\n\r\n");
    return request;
}

/// "HTTP/1.1 200 OK" → "200 OK"; throws when the line is not an HTTP status line.
std::string status_of(const std::string& line) {
    if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
        throw probe_failure("not an HTTP response: '" + line.substr(0, 64) + "'");
    }
    return line.substr(9);
}

}  // namespace

int run_probe(const probe_config& config) {
    const auto started = probe_clock::now();
    const auto deadline = started + config.timeout;
    std::string url = "http://";
    url.append(authority_of(config)).append(config.target);
    try {
        const socket_handle socket{connect_socket(config, deadline)};
        send_all(socket.get(), request_for(config), deadline);
        const auto status = status_of(read_status_line(socket.get(), deadline));
        const auto elapsed_ms = std::chrono::duration<double, std::milli>(probe_clock::now() - started).count();
        const bool healthy = status.starts_with("200 ") || status == "200";
        std::fprintf(healthy ? stdout : stderr, "probe: GET %s -> %s (%.1f ms)\n", url.c_str(), status.c_str(),
                     elapsed_ms);
        return healthy ? 0 : 1;
    } catch (const probe_failure& failure) {
        std::fprintf(stderr, "probe: GET %s -> %s\n", url.c_str(), failure.what());
        return 1;
    }
}

}  // namespace chimera::service
