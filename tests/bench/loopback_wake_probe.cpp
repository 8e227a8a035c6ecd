// The machine's own floor under client_overhead.py's TTFT overhead: the same exchange as a
// streaming call's first token, with nothing of Chimera, HTTP or JSON in it. A client sends
// a request over loopback TCP and waits in epoll_wait (as an Asio io thread does); a server
// process reads it, holds the reply on a timer as the simulator holds the first token
// (prompt eval + one token period), then writes a line. The overhead is what client_overhead.py
// computes: the client's request-to-reply time minus the server's read-to-write time.
//
// Both processes are idle while the timer runs, so on a VM whose idle vCPUs halt (no guest
// halt polling) the reply has to wake a halted vCPU, and so does the request's arrival at the
// server. With --hold-us 0 the same exchange runs back to back, with no time to halt.
//
// usage: loopback_wake_probe [--exchanges N] [--hold-us US]   prints one JSON object
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

std::int64_t ns_since(steady::time_point from) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - from).count();
}

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string{what} + ": " + std::strerror(errno)); }

void set_nodelay(int fd) {
    const int on = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) {
        fail("setsockopt TCP_NODELAY");
    }
}

void write_all(int fd, const void* data, std::size_t size) {
    if (::send(fd, data, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) {
        fail("send");
    }
}

/// Reads exactly `size` bytes; false at end of stream.
bool read_exact(int fd, void* data, std::size_t size) {
    auto* at = static_cast<char*>(data);
    while (size > 0) {
        const auto n = ::recv(fd, at, size, 0);
        if (n == 0) {
            return false;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("recv");
        }
        at += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

/// Answers each 8-byte request after `hold`, with how long it held it (ns) as the reply.
void serve(int listener, std::chrono::microseconds hold) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) {
        fail("accept");
    }
    set_nodelay(fd);
    std::int64_t request = 0;
    while (read_exact(fd, &request, sizeof request)) {
        const auto received = steady::now();
        std::this_thread::sleep_for(hold);
        const std::int64_t held = ns_since(received);
        write_all(fd, &held, sizeof held);
    }
    ::close(fd);
}

int listen_loopback(sockaddr_in& address) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 1) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        fail("listen on loopback");
    }
    return fd;
}

/// One exchange: request-to-reply time minus the server's hold, in µs.
double exchange(int fd, int epoll) {
    const std::int64_t request = 1;
    const auto sent = steady::now();
    write_all(fd, &request, sizeof request);
    epoll_event ready{};
    while (::epoll_wait(epoll, &ready, 1, -1) != 1) {
        if (errno != EINTR) {
            fail("epoll_wait");
        }
    }
    std::int64_t held = 0;
    if (!read_exact(fd, &held, sizeof held)) {
        throw std::runtime_error("the server closed the connection");
    }
    return static_cast<double>(ns_since(sent) - held) / 1e3;
}

std::vector<double> measure(const sockaddr_in& address, int exchanges) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail("connect");
    }
    set_nodelay(fd);
    const int epoll = ::epoll_create1(0);
    epoll_event interest{};
    interest.events = EPOLLIN;
    if (epoll < 0 || ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &interest) != 0) {
        fail("epoll");
    }
    std::vector<double> overhead_us;
    overhead_us.reserve(static_cast<std::size_t>(exchanges));
    exchange(fd, epoll);  // the first pays for the connection's and the code's first use
    for (int i = 0; i < exchanges; ++i) {
        overhead_us.push_back(exchange(fd, epoll));
    }
    ::close(epoll);
    ::close(fd);
    return overhead_us;
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::lround(p / 100.0 * static_cast<double>(values.size() - 1)));
    return values[rank];
}

long flag(int argc, char** argv, std::string_view name, long fallback) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (argv[i] == name) {
            return std::strtol(argv[i + 1], nullptr, 10);
        }
    }
    return fallback;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto exchanges = static_cast<int>(flag(argc, argv, "--exchanges", 400));
    const std::chrono::microseconds hold{flag(argc, argv, "--hold-us", 5000)};
    sockaddr_in address{};
    const int listener = listen_loopback(address);
    const pid_t server = ::fork();
    if (server == 0) {
        serve(listener, hold);
        std::_Exit(0);
    }
    ::close(listener);
    const auto overhead_us = measure(address, exchanges);
    int status = 0;
    ::waitpid(server, &status, 0);
    std::cout << std::fixed << std::setprecision(1) << R"({"exchanges": )" << exchanges << R"(, "hold_us": )"
              << hold.count() << R"(, "overhead_p50_us": )" << percentile(overhead_us, 50) << R"(, "overhead_p99_us": )"
              << percentile(overhead_us, 99) << "}\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "loopback_wake_probe: " << e.what() << '\n';
    return 1;
}
