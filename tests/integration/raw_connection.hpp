#pragma once

// A raw client socket for the integration tests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace chimera::testing {

/// A client socket under the test's control, for what the HTTP client helper cannot do:
/// stay silent, send half a request.
class raw_connection {
public:
    /// Connects to 127.0.0.1:`port` from `source`, another loopback address (127.0.0.2) when
    /// a test needs a second client address.
    explicit raw_connection(unsigned short port, const char* source = "127.0.0.1")
        : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (fd_ < 0 || ::inet_pton(AF_INET, source, &local.sin_addr) != 1 ||
            ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            throw std::runtime_error(std::string{"cannot bind a client socket to "} + source);
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("connect failed");
        }
    }
    ~raw_connection() {
        if (fd_ >= 0) ::close(fd_);
    }
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    raw_connection(raw_connection&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

    void send_text(const std::string& text) const {
        if (::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
            throw std::runtime_error("send failed");
        }
    }

    /// What the server sends until it closes the connection or stays silent for `quiet`.
    [[nodiscard]] std::string receive(std::chrono::milliseconds quiet) const {
        std::string received;
        pollfd pfd{fd_, POLLIN, 0};
        std::array<char, 4096> chunk{};
        while (::poll(&pfd, 1, static_cast<int>(quiet.count())) > 0) {
            const auto n = ::recv(fd_, chunk.data(), chunk.size(), 0);
            if (n <= 0) break;
            received.append(chunk.data(), static_cast<std::size_t>(n));
        }
        return received;
    }

    /// True when the server closed the connection within `timeout` without sending a byte.
    [[nodiscard]] bool closed_silently_within(std::chrono::milliseconds timeout) const {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) {
            return false;
        }
        char byte = 0;
        return ::recv(fd_, &byte, 1, 0) <= 0;
    }

private:
    int fd_;
};

}  // namespace chimera::testing
